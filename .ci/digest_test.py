#!/usr/bin/env python3
"""The morning digest against a real SMTP server: aiosmtpd (pinned in .ci/requirements.txt)
on a loopback port, demanding STARTTLS and AUTH, with a certificate made here.

    python .ci/digest_test.py .build/release/foothold

Checks, through the release binary: the confirmation mail and its code; a digest sent now,
over TLS, authenticated; a 451 answered with a retry (the backoff's first minute); a SIGKILL
while the relay holds the message (after `sending` was marked, before `sent`) never leads to a
second copy after the restart; the SMTP password never reaches the log.
"""
import asyncio
import base64
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from live import call, certificate, free_port, wait  # noqa: E402

BINARY = os.path.abspath(sys.argv[1])
USER, PASSWORD = "fh-relay", "relay password 42"



class Relay:
    """Keeps every message; answers 451 to the next `refuse` messages, and holds the next
    `hold` messages for `hold_seconds` before answering (so a client can be killed meanwhile)."""

    def __init__(self):
        self.messages = []
        self.tls = []
        self.authenticated = []
        self.refuse = 0
        self.hold = 0
        self.held = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.tls.append(session.ssl is not None)
        self.authenticated.append(session.authenticated)
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        if self.hold:
            self.hold -= 1
            self.held.set()
            await asyncio.sleep(6)
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def plain_part(message):
    """The text/plain part of a message Foothold sent, decoded."""
    match = re.search(r"Content-Type: text/plain; charset=utf-8\r?\nContent-Transfer-Encoding: base64\r?\n\r?\n(.*?)--foothold-", message, re.S)
    assert match, message[:400]
    return base64.b64decode("".join(match.group(1).split())).decode()




def main():
    work = tempfile.mkdtemp(prefix="foothold-digest-")
    cert, key = certificate(work, "127.0.0.1")
    import ssl
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    relay = Relay()
    smtp_port = free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=smtp_port, tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_require_tls=True)
    controller.start()

    db = os.path.join(work, "foothold.sqlite")
    http_port = free_port()
    log_path = os.path.join(work, "server.log")
    argv = [BINARY, "serve", "--db", db, "--port", str(http_port), "--public-url", f"http://127.0.0.1:{http_port}",
            "--smtp-url", f"smtp://{USER}:{PASSWORD.replace(' ', '%20')}@127.0.0.1:{smtp_port}",
            "--smtp-from", "foothold@example.org", "--smtp-ca-file", cert]

    def start():
        log = open(log_path, "a")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        wait("the server", lambda: subprocess.run(["curl", "-sf", f"http://127.0.0.1:{http_port}/health"], capture_output=True).returncode == 0)
        return process

    server = start()
    token = wait("the owner's token", lambda: re.search(r"its token \(shown only now\): (\S+)", open(log_path).read()))
    token = token.group(1)
    try:
        status, me = call(http_port, "PATCH", "/me", token, {"time_zone": "Europe/Oslo", "digest": {"email": "ann@example.org", "at": "07:30"}})
        assert status == 200 and me["digest"]["confirmed"] is False, me
        wait("the confirmation mail", lambda: relay.messages)
        recipients, message = relay.messages[0]
        assert recipients == ["ann@example.org"], recipients
        assert "Subject: Confirm your Foothold digest" in message
        code = re.search(r"^(dc_\S+)$", plain_part(message), re.M).group(1)
        assert f"http://127.0.0.1:{http_port}/#/settings?digest_code={code}" in plain_part(message)
        assert relay.tls[0] and relay.authenticated[0], (relay.tls, relay.authenticated)
        status, me = call(http_port, "POST", "/me/digest/confirm", token, {"code": code})
        assert status == 200 and me["digest"]["confirmed"] is True and me["digest"]["next_at"], me
        print("confirmation: mailed over STARTTLS with AUTH, code accepted", flush=True)

        # Sent now: the day's agenda as a message.
        status, delivery = call(http_port, "POST", "/me/digest/send", token, {})
        assert status == 202, delivery
        wait("the digest", lambda: len(relay.messages) == 2)
        text = plain_part(relay.messages[1][1])
        assert "Your day," in text and "Nothing is due today." in text, text
        status, listed = call(http_port, "GET", "/me/deliveries", token)
        assert [d["status"] for d in listed["items"]] == ["sent", "sent"], listed
        print("a digest sent now arrived", flush=True)

        # The relay refuses for now: retried after the first backoff (a minute).
        relay.refuse = 1
        status, delivery = call(http_port, "POST", "/me/digest/send", token, {})
        retried = wait("the retry to be scheduled", lambda: next((d for d in call(http_port, "GET", "/me/deliveries", token)[1]["items"]
                                                               if d["id"] == delivery["id"] and d["attempts"] == 1 and d["status"] == "queued"), None))
        assert "451" in (retried["last_error"] or ""), retried
        wait("the retried digest", lambda: len(relay.messages) == 3, seconds=100)
        status, listed = call(http_port, "GET", "/me/deliveries", token)
        again = next(d for d in listed["items"] if d["id"] == delivery["id"])
        assert again["status"] == "sent" and again["attempts"] == 2, again
        print("a 451 was retried a minute later and sent", flush=True)

        # SIGKILL while the relay holds the message: marked sending, never marked sent.
        relay.hold = 1
        status, delivery = call(http_port, "POST", "/me/digest/send", token, {})
        assert relay.held.wait(30), "the relay never got the message"
        server.send_signal(signal.SIGKILL)
        server.wait()
        copies = len(relay.messages)
        server = start()
        status, listed = wait("the interrupted delivery to be marked", lambda: (lambda r: r if any(
            d["id"] == delivery["id"] and d["status"] == "unknown" for d in r[1]["items"]) else None)(call(http_port, "GET", "/me/deliveries", token)))
        time.sleep(3)
        assert len(relay.messages) == copies, "sent again after the restart"
        print("SIGKILL between handing over and marking: marked unknown, not sent again", flush=True)

        log = open(log_path).read()
        assert PASSWORD not in log and PASSWORD.replace(" ", "%20") not in log, "the SMTP password reached the log"
        assert f"smtp://{USER}:***@127.0.0.1:{smtp_port}" in log, log[-2000:]
        print("the password is in no log line", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        controller.stop()
    print("digest test passed")


if __name__ == "__main__":
    main()
