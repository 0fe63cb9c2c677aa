"""The HTTPS sinks deliveries are measured at, both counting at the sink what
arrived (by event id, so duplicates show):

- `NginxSink`: the reference (issue 14): a private nginx (Debian
  `nginx-light`), started by the bench as a non-daemon child with its own
  prefix, configuration, pid and logs in a temp directory (never the system
  nginx or port 80), one worker process (and no master), `return 200`, keep-alive for a million
  requests. One TLS listener (HTTP/1.1 and HTTP/2 by ALPN) logs every request
  to a buffered access log (time, protocol, body size, the X-MO-Event-Id header
  that src/delivery/request_builder.cc sets, the path); one plain HTTP
  listener, not logged, is the HTTP-layer reference for the API figures.
- `ReceiveSink`: `switchboard receive`, which verifies signatures and prints
  one JSON line per delivery with its receive time.

Loopback only. Imported by bench/run.py; not a test.
"""
import json
import os
import socket
import subprocess
import time
from dataclasses import dataclass

import harness

EVENT_ID_HEADER = "X-MO-Event-Id"  # src/delivery/request_builder.cc
_EVENT_ID_VARIABLE = "$http_" + EVENT_ID_HEADER.lower().replace("-", "_")
# One line per request; the event id is quoted (nginx escapes a quote in it).
LOG_FORMAT = f'$msec $server_protocol $status $content_length "{_EVENT_ID_VARIABLE}" $uri'


@dataclass
class Arrival:
    """One request as the sink saw it."""
    at: float          # unix seconds
    event_id: str      # "" when the request had none
    path: str = ""
    protocol: str = ""
    body_bytes: int = 0

    @property
    def key(self):
        """What makes a delivery distinct: one event to one webhook (path)."""
        return (self.event_id, self.path)


def parse_access_line(line):
    """An Arrival from one access-log line (LOG_FORMAT), or None."""
    try:
        head, quoted_id, path = line.decode().rsplit('"', 2)
        at, protocol, status, body_bytes = head.split()
    except ValueError:
        return None
    return Arrival(at=float(at), event_id="" if quoted_id == "-" else quoted_id, path=path.strip(),
                   protocol=protocol,
                   body_bytes=0 if body_bytes == "-" else int(body_bytes))


# HTTP/2 and libcurl 7.88 (found while building this reference): a 200 that
# arrives before libcurl has marked its upload finished fails the transfer
# ("Stream error in the HTTP/2 framing layer", CURLE_HTTP2_STREAM) although the
# response is complete: nginx answers once Content-Length bytes arrived and
# ends the stream with RST_STREAM(NO_ERROR), which RFC 9113 §8.1 allows and
# says a client must not treat as a failure. Measured with the curl command
# line, 32 parallel POSTs of 600 B: 29-96 of 2,000 failed, with or without
# nginx reading the body first (a mirror), so `return 200` stays. `http2=False`
# (bench/run.py --sink-http1) offers HTTP/1.1 only, without that effect.
def nginx_config(prefix, tls_port, plain_port, cert, key, http2=True):
    user = "user root;\n" if os.geteuid() == 0 else ""  # the worker can then read its temp dir
    temp_paths = "\n".join(f"  {d}_temp_path {prefix}/{d};" for d in _temp_path_modules())
    return f"""# Written by bench/sinks.py for one benchmark run.
daemon off;
{user}# One process that is the one worker: no master, so nothing outlives it when the
# kernel ends it with the bench (a worker survives its master's SIGKILL).
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{
  worker_connections 4096;
}}
http {{
{temp_paths}
  log_format sink '{LOG_FORMAT}';
  keepalive_requests 1000000;
  keepalive_timeout 600s;
  server {{
    listen 127.0.0.1:{tls_port} ssl{" http2" if http2 else ""};
    ssl_certificate {cert};
    ssl_certificate_key {key};
    access_log {prefix}/access.log sink buffer=256k flush=1s;
    location / {{
      return 200;
    }}
  }}
  server {{
    listen 127.0.0.1:{plain_port};
    access_log off;
    location / {{
      return 200;
    }}
  }}
}}
"""


def _temp_path_modules():
    """The *_temp_path directives this nginx build knows (each names a module)."""
    version = subprocess.run([harness.which("nginx"), "-V"], capture_output=True, text=True).stderr
    return ["client_body"] + [m for m in ("proxy", "fastcgi", "uwsgi", "scgi")
                              if f"--without-http_{m}_module" not in version]


def _listening(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class NginxSink:
    """A private nginx on two free loopback ports (see the file comment)."""

    def __init__(self, children, work, cert, key, http2=True):
        self.http2 = http2
        harness.ensure_package("nginx", "nginx-light")
        self.prefix = os.path.join(work, "nginx")
        os.makedirs(self.prefix, exist_ok=True)
        self.access_log = os.path.join(self.prefix, "access.log")
        for attempt in range(5):  # a port taken between choosing and binding: choose again
            self.tls_port, self.plain_port = harness.free_port(), harness.free_port()
            if self.tls_port == self.plain_port:
                continue
            conf = os.path.join(self.prefix, "nginx.conf")
            with open(conf, "w") as f:
                f.write(nginx_config(self.prefix, self.tls_port, self.plain_port, cert, key, http2))
            out = os.path.join(self.prefix, "stderr.log")
            self.proc = children.start([harness.which("nginx"), "-p", self.prefix + "/", "-c", conf,
                                        "-e", os.path.join(self.prefix, "error.log")], out, group=True)
            deadline = time.time() + 10
            while time.time() < deadline and self.proc.poll() is None:
                if _listening(self.tls_port) and _listening(self.plain_port):
                    return
                time.sleep(0.05)
            children.stop(self.proc)
        raise SystemExit("nginx did not start: " + open(os.path.join(self.prefix, "error.log")).read())

    def url(self, path="/"):
        return f"https://127.0.0.1:{self.tls_port}{path}"

    def plain_url(self, path="/"):
        return f"http://127.0.0.1:{self.plain_port}{path}"

    def tail(self):
        return harness.LogTail(self.access_log)

    @staticmethod
    def parse(line):
        return parse_access_line(line)


class ReceiveSink:
    """`switchboard receive` on a free loopback port with the bench's certificate."""

    def __init__(self, children, binary, work, cert, key, name, *extra):
        self.log = os.path.join(work, name + ".out")
        self.children = children
        self.proc = proc = children.start([binary, "receive", "--listen", "127.0.0.1:0", "--cert", cert, "--key", key,
                               "--no-timestamp-check", *extra], self.log)
        self.port = harness.wait_for(self.log, r"Receiving on https://127\.0\.0\.1:(\d+)", proc=proc).group(1)

    def url(self, path="/"):
        return f"https://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.children.stop(self.proc, timeout=30)

    def tail(self):
        return harness.LogTail(self.log)

    @staticmethod
    def parse(line):
        if not line.startswith(b'{"event_id"'):
            return None
        try:
            d = json.loads(line)
        except ValueError:
            return None
        return Arrival(at=d["received_unix_us"] / 1e6, event_id=d["event_id"], body_bytes=d.get("bytes", 0))

    def lines(self):
        """Every delivery line so far, parsed (for the latency figures)."""
        out = []
        with open(self.log) as f:
            for line in f:
                if line.startswith("{"):
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
        return out
