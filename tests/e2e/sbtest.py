"""Helpers the Python end-to-end and cluster tests share: starting the real
binary, waiting for its output, calling the API, and reading what
`switchboard receive` logged. Loopback only; every wait has a deadline."""
import http.client
import json
import re
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.error
import urllib.request


class Checks:
    """The PASS/FAIL lines of a test script and the summary it ends with:
    `check = Checks()`, `check(name, ok, detail)`, `return check.exit_code()`."""

    def __init__(self):
        self.results = []

    def __call__(self, name, ok, detail=""):
        self.results.append(bool(ok))
        print(("PASS " if ok else "FAIL ") + name + (f": {detail}" if detail else ""))

    def exit_code(self):
        failed = self.results.count(False)
        print(f"{len(self.results) - failed} passed, {failed} failed")
        return 0 if self.results and not failed else 1


def answered_data(call_id, n):
    """A schema-valid call.answered `data` (docs/events.md) for call `call_id`, tagged with `n`."""
    return {"call_id": call_id, "direction": "inbound", "from": "+919800000001", "to": "+918000000002",
            "status": "in_progress", "started_at": "2026-11-22T10:03:40.000Z",
            "legs": [{"number": "+919800000009", "role": "agent", "state": "answered",
                      "started_at": "2026-11-22T10:03:52.000Z", "answered_at": "2026-11-22T10:03:59.000Z"}],
            "n": n}


def call_event(event_type, call_id, status=None):
    """A schema-valid call event (docs/events.md) of call `call_id`, as the
    telephony side publishes it: call.initiated, call.answered or call.end
    (`status` completed by default, or missed)."""
    base = {"call_id": call_id, "direction": "inbound", "from": "+919800000001", "to": "+918000000002",
            "started_at": "2026-11-22T10:03:40.000Z"}
    customer = {"number": "+919800000001", "role": "customer", "state": "answered",
                "started_at": "2026-11-22T10:03:40.000Z", "answered_at": "2026-11-22T10:03:40.000Z"}
    if event_type == "call.initiated":
        data = {**base, "status": "initiated", "duration_sec": 0, "legs": [customer]}
    elif event_type == "call.answered":
        data = answered_data(call_id, 0)
    else:
        status = status or "completed"
        data = {**base, "status": status, "ended_at": "2026-11-22T10:05:00.000Z", "duration_sec": 80,
                "legs": [{**customer, "state": "completed", "ended_at": "2026-11-22T10:05:00.000Z"}]}
    return {"type": event_type, "data": data}


class LiveStream:
    """GET /api/v2/live/calls read on a thread: `calls` collects
    (monotonic time received, data of each `event: call`), `ready` is set on
    `event: ready`."""

    def __init__(self, base, token, query=""):
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.conn.request("GET", "/api/v2/live/calls" + query, headers={"Authorization": "Bearer " + token})
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.calls = []
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.ended = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        event = None
        try:
            while True:
                line = self.response.readline()
                if not line:
                    break
                line = line.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: "):]
                elif line.startswith("data: ") and event == "call":
                    with self.lock:
                        self.calls.append((time.monotonic(), json.loads(line[len("data: "):])))
                elif line.startswith("data: ") and event == "ready":
                    self.ready.set()
        except (OSError, ValueError):
            pass
        self.ended.set()

    def wait_for(self, call_id, state, timeout=10):
        """Monotonic time the stream showed `call_id` in `state`, or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for at, data in self.calls:
                    if data.get("call_id") == call_id and data.get("state") == state:
                        return at
            time.sleep(0.005)
        return None

    def close(self):
        sock = self.conn.sock
        if sock is not None:
            try:
                sock.shutdown(2)  # ends the reader thread's blocking read
            except OSError:
                pass
        self.conn.close()
        self.thread.join(timeout=5)


class Process:
    """One running `switchboard …` with its output in a file."""

    def __init__(self, binary, args, out_path):
        self.out_path = out_path
        self.out = open(out_path, "w")
        self.proc = subprocess.Popen([binary] + args, stdout=self.out, stderr=subprocess.STDOUT)

    def wait_for(self, pattern, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with open(self.out_path) as f:
                m = re.search(pattern, f.read(), re.M)
                if m:
                    return m
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit(f"timed out waiting for {pattern!r} in {self.out_path}:\n" + open(self.out_path).read())

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()


def run_command(binary, *args, timeout=120):
    """Runs `binary args...` to its end without stdin: (exit code, stdout + stderr)."""
    done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout + done.stderr


def request(base, token, method, path, body=None, timeout=30):
    """(status, parsed body); HTTP errors are answers too, not exceptions."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw or b"null")
        except ValueError:
            return e.code, raw.decode(errors="replace")


def received(path):
    """Every delivery `switchboard receive` logged, in the order it received them."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass  # a line still being written
    return out


def received_ids(path):
    return {r.get("event_id", "") for r in received(path)}


def start_receiver(binary, out_path, cert_path, extra=()):
    """`switchboard receive` on a free loopback port; returns (process, port)."""
    receiver = Process(binary, ["receive", "--listen", "127.0.0.1:0", "--cert-out", cert_path,
                                "--no-timestamp-check", *extra], out_path)
    port = receiver.wait_for(r"Receiving on https://127\.0\.0\.1:(\d+)").group(1)
    return receiver, port
