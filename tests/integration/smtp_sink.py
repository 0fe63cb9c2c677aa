#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd, Debian python3-aiosmtpd) on a free loopback
port for the alert e-mail tests: every message accepted is appended, as one
JSON line {"from","to","data"}, to OUT. Writes its port to PORT_FILE once it
listens, and runs until killed.

  smtp_sink.py PORT_FILE OUT [--tls none|starttls|implicit --cert PEM --key PEM]
                             [--login USER:PASSWORD]

With --login, AUTH (PLAIN/LOGIN, only over TLS: after STARTTLS, or at once
with implicit TLS) is required and only that
user and password are accepted; a message's JSON line then names the user.
"""
import argparse
import asyncio
import json
import logging
import os
import socket
import ssl
import sys
import time
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out, user=None):
        self.out = out
        self.user = user

    async def handle_DATA(self, server, session, envelope):
        with open(self.out, "a") as f:
            f.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                                "user": self.user if session.authenticated else None,
                                "data": envelope.content.decode("utf-8", "replace")}) + "\n")
        return "250 OK"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
              and auth_data.password.decode() == password)
        return AuthResult(success=ok)
    return check


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port_file")
    p.add_argument("out")
    p.add_argument("--tls", default="none", choices=["none", "starttls", "implicit"])
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--login")
    a = p.parse_args()
    context = None
    if a.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.cert, a.key)
    kwargs = {}
    if a.tls == "starttls":
        kwargs = {"tls_context": context, "require_starttls": True}
    elif a.tls == "implicit":
        kwargs = {"ssl_context": context}
    user = None
    if a.login:
        user, password = a.login.split(":", 1)
        kwargs.update(authenticator=authenticator(user, password), auth_required=True)
        if a.tls == "implicit":
            # The whole connection is TLS: aiosmtpd's "AUTH only after TLS"
            # knows only STARTTLS and would never offer AUTH here.
            kwargs["auth_require_tls"] = False
            warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
            logging.getLogger("mail.log").setLevel(logging.ERROR)
    port = free_port()
    controller = Controller(Sink(a.out, user), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.replace(a.port_file + ".tmp", a.port_file)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
