"""What the benchmark needs around the thing measured: child processes that are
always ended (normal exit, exception, Ctrl-C, SIGTERM, and by the kernel if the
bench itself is killed), free loopback ports, a throwaway certificate, wrk
runs, and logs read incrementally (a drain polls its sink's log: re-reading a
growing log every poll would steal CPU from the run being measured).

Loopback only. Imported by bench/run.py; not a test.
"""
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    """Runs in the child before exec: the kernel kills it if the bench dies,
    even by SIGKILL, so no child outlives a run."""
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class Children:
    """Every process the bench starts, in start order; `stop_all` ends them in
    reverse order (SIGTERM, then SIGKILL after a grace period). A child started
    with `group=True` gets its own session, and is ended with its whole process
    group (nginx's master and worker)."""

    def __init__(self):
        self._procs = []  # (Popen, log file or None, group)

    def start(self, cmd, log, group=False, env=None):
        f = open(log, "w")
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             preexec_fn=_die_with_parent, start_new_session=group, env=env)
        self._procs.append((p, f, group))
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=60):
        """Ends one child (its group, if it has one) and waits for it."""
        for entry in self._procs:
            if entry[0] is p:
                self._end(entry, sig, timeout)
                self._procs.remove(entry)
                return

    def stop_all(self):
        while self._procs:
            entry = self._procs.pop()
            try:
                self._end(entry, signal.SIGTERM, 30)
            except Exception as e:  # keep ending the others
                print(f"bench: could not end pid {entry[0].pid}: {e}")

    @staticmethod
    def _signal(p, group, sig):
        try:
            if group:
                os.killpg(p.pid, sig)
            else:
                p.send_signal(sig)
        except ProcessLookupError:
            pass

    def _end(self, entry, sig, timeout):
        p, f, group = entry
        if p.poll() is None or group:
            self._signal(p, group, sig)
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal(p, group, signal.SIGKILL)
                p.wait()
            if group:  # a worker may outlive its master for a moment
                self._signal(p, group, signal.SIGKILL)
        if f:
            f.close()


def exit_on_sigterm():
    """SIGTERM and SIGHUP end the bench like Ctrl-C does: through its `finally`."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def free_port():
    """A loopback port that was free a moment ago (bound to port 0, then closed),
    for programs that cannot be given port 0 themselves (nginx). The caller
    retries on the rare collision."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(log, pattern, timeout=30, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(pattern, open(log).read(), re.M)
        if m:
            return m
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"{log}: exited with {proc.returncode} before printing {pattern}:\n{open(log).read()}")
        time.sleep(0.05)
    raise SystemExit(f"timeout waiting for {pattern} in {log}")


def make_certificate(cert, key):
    """A throwaway self-signed certificate for 127.0.0.1 and localhost: every sink
    (switchboard receive, nginx) serves it and every server trusts it (--ca-file)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)


def ensure_package(command, package):
    """Installs a Debian package when its command is missing (as for wrk)."""
    if not which(command):
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, stdout=subprocess.DEVNULL)


def which(command):
    """The command's path, also looking in the sbin folders (nginx lives there)."""
    return shutil.which(command, path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/sbin")


def lua_post(body, token=None):
    """A wrk script that POSTs `body` as JSON (with a bearer token when given)."""
    lines = ['wrk.method = "POST"', f"wrk.body = {lua_string(body)}",
             'wrk.headers["Content-Type"] = "application/json"']
    if token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    return "\n".join(lines) + "\n"


def lua_string(text):
    """A Lua long string holding `text` exactly (no escapes to get wrong)."""
    level = 0
    while ("]" + "=" * level + "]") in text:
        level += 1
    return "[" + "=" * level + "[" + text + "]" + "=" * level + "]"


def wrk(work, url, seconds, connections, threads=2, lua=None, with_total=False):
    """One wrk run; returns (requests/s, non-2xx responses, socket errors), and
    with `with_total` also the number of requests it completed."""
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    if lua is not None:
        script = os.path.join(work, f"wrk-{len(os.listdir(work))}.lua")
        with open(script, "w") as f:
            f.write(lua)
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not m:
        raise SystemExit(f"wrk printed no rate for {url}:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    out_tuple = (float(m.group(1)), int(non2xx.group(1)) if non2xx else 0,
                 sum(map(int, errors.groups())) if errors else 0)
    if with_total:
        total = re.search(r"(\d+) requests in", out)
        return out_tuple + (int(total.group(1)) if total else 0,)
    return out_tuple


class LogTail:
    """Reads the complete lines appended to a file since the last call, starting
    from the file's end when made (so a figure sees only its own lines)."""

    def __init__(self, path):
        self.path = path
        self.offset = os.path.getsize(path) if os.path.exists(path) else 0
        self.partial = b""

    def new_lines(self):
        if not os.path.exists(self.path):
            return []
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        self.offset += len(data)
        data = self.partial + data
        lines = data.split(b"\n")
        self.partial = lines.pop()
        return lines


def progress(text):
    """What the bench is doing, on stderr (the table goes to stdout at the end)."""
    print(time.strftime("%H:%M:%S ") + text, file=sys.stderr, flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def cpu_seconds(pid):
    """User + system CPU seconds the process has used so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def fdatasync_latency(directory, syncs=200):
    """(median, mean) time of one fdatasync of a 4 KiB overwrite in `directory`
    (a preallocated file, as SQLite's WAL is once it has grown), in seconds,
    taken one at a time like the store's writer does. On this machine (a
    Firecracker VM) a lone sync that leaves every CPU idle completes at the next
    4 ms timer tick, while the same sync beside a busy CPU takes ~0.4 ms: the
    figures depend on what else runs, so the bench measures them in the run."""
    path = os.path.join(directory, "fdatasync-probe")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.posix_fallocate(fd, 0, 64 * 4096)
        os.fsync(fd)
        block = b"\0" * 4096
        times = []
        for i in range(syncs):
            os.pwrite(fd, block, (i % 64) * 4096)
            t0 = time.perf_counter()
            os.fdatasync(fd)
            times.append(time.perf_counter() - t0)
        times.sort()
        return times[len(times) // 2], sum(times) / len(times)
    finally:
        os.close(fd)
        os.unlink(path)
