#!/usr/bin/env python3
"""The Debian package, as a new operator meets it (issue 18 item 1).

Builds two versions of the package with scripts/package.sh from this build,
checks their contents and control data, then (as root, on a machine where no
switchboard package is installed) follows the README's "Install as a
service" steps: installs version 1, checks the user, directories and the
systemd unit (systemd-analyze verify), starts the packaged binary with the
packaged configuration as the `switchboard` user (systemd is not needed for
that), publishes an event, stops it (exit 0), changes the configuration,
upgrades to version 2, and checks that the data, the token and the changed
configuration are still there. Purging removes the package, keeps the data.
Loopback only; every wait has a deadline; the machine is left as found.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

from sbtest import Checks, Process, answered_data, request

BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WEB = os.path.join(os.path.dirname(BIN), "web")
CONF = "/etc/switchboard/switchboard.conf"
DATA = "/var/lib/switchboard"

check = Checks()


def run(*args, ok=True):
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    if ok and done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done


def build_package(version, out):
    done = run("bash", os.path.join(ROOT, "scripts", "package.sh"), "--binary", BIN, "--web", WEB,
               "--version", version, "--out", out)
    return done.stdout.strip().splitlines()[-1]


def check_package(deb):
    listing = run("dpkg-deb", "-c", deb).stdout
    paths = {line.split()[-1] for line in listing.splitlines()}
    for path in ["./usr/bin/switchboard", "./usr/share/switchboard/web/index.html", "./etc/switchboard/switchboard.conf",
                 "./lib/systemd/system/switchboard.service", "./usr/share/doc/switchboard/README.md",
                 "./usr/share/doc/switchboard/configuration.md"]:
        check(f"the package holds {path}", path in paths)
    check("nothing outside /usr, /etc and /lib",
          all(p.startswith(("./usr/", "./etc/", "./lib/")) or p in ("./", "./usr/", "./etc/", "./lib/") for p in paths),
          str(sorted(p for p in paths if not p.startswith(("./usr/", "./etc/", "./lib/")))))
    fields = run("dpkg-deb", "-f", deb, "Package", "Architecture", "Depends").stdout
    check("control names the package and its library dependencies",
          "Package: switchboard" in fields and "libsqlite3" in fields and "libcurl" in fields, fields)
    check("the configuration is a conffile", CONF in run("dpkg-deb", "-I", deb, "conffiles").stdout)
    unit = run("sh", "-c", f"dpkg-deb --fsys-tarfile '{deb}' | tar -xO ./lib/systemd/system/switchboard.service").stdout
    for directive in ["User=switchboard", "NoNewPrivileges=yes", "ProtectSystem=strict",
                      "ReadWritePaths=/var/lib/switchboard", "ProtectHome=yes", "PrivateTmp=yes",
                      "CapabilityBoundingSet=\n", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                      "SystemCallFilter=@system-service", "Restart=on-failure"]:
        check(f"the unit sets {directive.strip()}", directive in unit)


def start_as_service_user(work, name):
    # The packaged configuration, as the service runs it; only the port is
    # chosen free (the command line wins over the file).
    # setpriv execs the binary itself (runuser would stay between it and the
    # signal), like systemd's User=.
    server = Process("setpriv", ["--reuid=switchboard", "--regid=switchboard", "--init-groups", "--",
                                 "/usr/bin/switchboard", "--config", CONF, "serve", "--listen", "127.0.0.1:0"],
                     os.path.join(work, name))
    base = server.wait_for(r"^Dashboard: (http://\S+)/$").group(1)
    return server, base


def install_and_upgrade(work, deb1, deb2):
    run("dpkg", "-i", deb1)
    check("systemd-analyze verify accepts the installed unit",
          run("systemd-analyze", "verify", "/lib/systemd/system/switchboard.service", ok=False).returncode == 0)
    check("the switchboard system user exists", run("getent", "passwd", "switchboard", ok=False).returncode == 0)
    check("the data directory is the service user's alone",
          run("stat", "-c", "%a %U", DATA).stdout.strip() == "700 switchboard", run("stat", "-c", "%a %U", DATA).stdout)
    check("the configuration is readable by the service user only",
          run("stat", "-c", "%a %U %G", CONF).stdout.strip() == "640 root switchboard")

    server, base = start_as_service_user(work, "serve1.out")
    token = server.wait_for(r"^Owner token: (\S+)").group(1)
    with urllib.request.urlopen(base + "/api/health", timeout=10) as r:
        check("the packaged service answers health", r.status == 200)
    with urllib.request.urlopen(base + "/", timeout=10) as r:
        check("and serves the packaged dashboard", r.status == 200 and b"<script" in r.read())
    status, body = request(base, token, "POST", "/api/v2/events",
                           {"type": "call.answered", "data": answered_data("pkg-1", 1)})
    check("an event is accepted", status == 202, str(body))
    event_id = body.get("event_id") if isinstance(body, dict) else None
    server.proc.terminate()
    check("SIGTERM stops it with exit 0", server.proc.wait(timeout=30) == 0)
    server.out.close()
    check("its data is in /var/lib/switchboard, owned by the service user",
          run("stat", "-c", "%U", os.path.join(DATA, "switchboard.db")).stdout.strip() == "switchboard")

    with open(CONF, "a") as f:
        f.write("# changed by the operator\n")
    run("dpkg", "-i", deb2)
    version = run("dpkg-query", "-W", "-f=${Version}", "switchboard").stdout
    check("the upgrade installed version 2", version == "0.1.0~test2", version)
    check("the operator's configuration survived the upgrade", "# changed by the operator" in open(CONF).read())
    server, base = start_as_service_user(work, "serve2.out")
    status, body = request(base, token, "GET", f"/api/v2/events/{event_id}")
    check("after the upgrade the token and the event are still there", status == 200, str(body))
    server.proc.terminate()
    check("it stops with exit 0 again", server.proc.wait(timeout=30) == 0)
    server.out.close()

    run("dpkg", "--purge", "switchboard")
    check("purging removes the binary", not os.path.exists("/usr/bin/switchboard"))
    check("and keeps the data", os.path.exists(os.path.join(DATA, "switchboard.db")))


def main():
    work = tempfile.mkdtemp(prefix="sb-package-")
    os.chmod(work, 0o755)  # the service user writes its output files here
    try:
        deb1 = build_package("0.1.0~test1", os.path.join(work, "v1"))
        deb2 = build_package("0.1.0~test2", os.path.join(work, "v2"))
        check_package(deb1)
        installed = run("dpkg-query", "-W", "-f=${Status}", "switchboard", ok=False).stdout
        if os.geteuid() != 0 or "installed" in installed:
            print("SKIP installing: needs root and a machine without a switchboard package")
        elif os.path.exists(DATA) or run("getent", "passwd", "switchboard", ok=False).returncode == 0:
            print(f"SKIP installing: {DATA} or a switchboard user exists here already")
        else:
            try:
                install_and_upgrade(work, deb1, deb2)
            finally:
                # Leave the machine as it was found.
                run("dpkg", "--purge", "switchboard", ok=False)
                shutil.rmtree(DATA, ignore_errors=True)
                run("userdel", "switchboard", ok=False)
                run("groupdel", "switchboard", ok=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return check.exit_code()


if __name__ == "__main__":
    sys.exit(main())
