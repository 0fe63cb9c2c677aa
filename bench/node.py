"""The Switchboard server the benchmark measures (`switchboard serve` on a data
directory and a free loopback port, trusting the bench's certificate), and
the events it publishes to it.

Loopback only. Imported by bench/run.py; not a test.
"""
import http.client
import json
import os
import re
import time

import harness


def answered_data(call_id, n, department=None):
    """A schema-valid call.answered `data` (docs/events.md), tagged with `n`;
    with `department`, a `department_id` that a webhook filter can select."""
    data = {"call_id": call_id, "direction": "inbound", "from": "+919800000001", "to": "+918000000002",
            "status": "in_progress", "started_at": "2026-11-22T10:03:40.000Z",
            "legs": [{"number": "+919800000009", "role": "agent", "state": "answered",
                      "started_at": "2026-11-22T10:03:52.000Z", "answered_at": "2026-11-22T10:03:59.000Z"}],
            "n": n}
    if department is not None:
        data["department_id"] = department
    return data


def sent_data(conversation_id, n):
    """A schema-valid message.sent `data`."""
    return {"conversation_id": conversation_id, "message_id": f"m{n}", "from": "+918000000002",
            "to": "+919800000001", "status": "sent", "timestamp": "2026-11-22T10:03:59.120Z",
            "message_type": "text", "text": "Hello"}


def department_of(call, departments):
    """Which of `departments` filtered webhooks a call's events go to (None: no filters)."""
    return f"dep{call % departments}" if departments else None


class Server:
    """One `switchboard serve` on a data directory, on a free loopback port."""

    def __init__(self, children, binary, work, cert, data, name, extra=()):
        self.children = children
        self.log = os.path.join(work, name + ".out")
        t0 = time.time()
        self.proc = children.start([binary, "--log-level", os.environ.get("SB_LOG_LEVEL", "warn"), "serve", "--listen", "127.0.0.1:0", "--data",
                                    data, "--allow-private-networks", "--ca-file", cert, *extra], self.log)
        self.base = harness.wait_for(self.log, r"^Dashboard: http://(\S+)/$", timeout=120, proc=self.proc).group(1)
        self.startup = time.time() - t0
        self.host, port = self.base.split(":")
        self.port = int(port)
        m = re.search(r"^Owner token: (\S+)", open(self.log).read(), re.M)
        self.token = m.group(1) if m else None
        self.conn = None

    def api(self, method, path, body=None, token=None):
        for attempt in range(2):  # a keep-alive connection may have idled out
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                self.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                                  headers={"Authorization": "Bearer " + (token or self.token),
                                           "Content-Type": "application/json"})
                r = self.conn.getresponse()
                data = r.read()
                return r.status, json.loads(data or b"null")
            except (http.client.HTTPException, ConnectionError):
                self.conn = None
                if attempt:
                    raise

    def webhook(self, url, filters=None):
        body = {"url": url, "events": ["call", "whatsapp"]}
        if filters:
            body["filters"] = filters
        status, hook = self.api("POST", "/api/v2/webhooks", body)
        assert status == 201, hook
        return hook["id"]

    def publish_backlog(self, n, calls, departments=0):
        """`n` call.answered events over `calls` calls, in batches of 1,000; with
        `departments`, call c's events carry department dep{c % departments}."""
        for offset in range(0, n, 1000):
            events = [{"type": "call.answered",
                       "data": answered_data(f"d{(offset + i) % calls}", offset + i,
                                             department_of((offset + i) % calls, departments))}
                      for i in range(min(1000, n - offset))]
            status, body = self.api("POST", "/api/v2/events/batch", {"events": events})
            assert status == 202 and "error" not in body["results"][0], body

    def stop(self):
        if self.conn is not None:
            self.conn.close()
        self.children.stop(self.proc, timeout=60)
