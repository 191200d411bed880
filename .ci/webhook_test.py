#!/usr/bin/env python3
"""Webhooks against a real HTTPS receiver on loopback, with a certificate made here.

    python3 .ci/webhook_test.py .build/release/foothold

A server with default settings refuses loopback and private receivers (by name and by address)
and plain http; one started with --allow-private-webhooks and the receiver's CA delivers a
meeting's completion, signed so the receiver can verify it with the secret, and answers 5xx by
trying again later (the delivery listed with its status).
"""
import hashlib, hmac, http.server, json, os, re, signal, ssl, subprocess, sys, tempfile, threading, time

from live import call, certificate, free_port, wait  # noqa: E402

BINARY = os.path.abspath(sys.argv[1])





def start(work, extra):
    port = free_port()
    log_path = os.path.join(work, f"server-{port}.log")
    process = subprocess.Popen([BINARY, "serve", "--db", os.path.join(work, f"db-{port}.sqlite"), "--port", str(port)] + extra,
                               stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    wait("the server", lambda: subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}/health"], capture_output=True).returncode == 0)
    token = wait("the owner's token", lambda: re.search(r"its token \(shown only now\): (\S+)", open(log_path).read())).group(1)
    return process, port, token


def main():
    work = tempfile.mkdtemp(prefix="foothold-webhooks-")
    cert, key = certificate(work, "localhost")
    received, answers = [], [500]

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            status = answers.pop(0) if answers else 200
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    receiver.socket = context.wrap_socket(receiver.socket, server_side=True)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook_port = receiver.server_address[1]

    strict, strict_port, strict_token = start(work, [])
    open_server = None
    try:
        for url in [f"https://127.0.0.1:{hook_port}/hook", f"https://localhost:{hook_port}/hook", "https://10.1.2.3/hook",
                    "https://169.254.169.254/latest/meta-data", "https://[::1]/hook", f"http://example.org/hook"]:
            status, problem = call(strict_port, "POST", "/webhooks", strict_token, {"url": url, "events": ["meeting.completed"]})
            assert status == 422 and problem["errors"][0]["field"] == "url", (url, status, problem)
        print("SSRF: loopback, private, link-local and plain http receivers refused, by name and by address", flush=True)

        open_server, port, token = start(work, ["--allow-private-webhooks", "--webhook-ca-file", cert])
        status, hook = call(port, "POST", "/webhooks", token, {"url": f"https://localhost:{hook_port}/hook", "events": ["meeting.completed"]})
        assert status == 201 and hook["secret"].startswith("whsec_"), hook
        status, contact = call(port, "POST", "/contacts", token, {"name": "Ann Berg"})
        status, meeting = call(port, "POST", "/meetings", token, {"contact_id": contact["id"], "scheduled_at": "2026-01-05T10:00:00Z"})
        status, done = call(port, "POST", f"/meetings/{meeting['id']}/complete", token, {"none_offered": True})
        assert status == 200, done
        headers, body = wait("the first POST", lambda: received[0] if received else None)
        t, v1 = re.match(r"t=(\d+),v1=([0-9a-f]{64})$", headers["Foothold-Signature"]).groups()
        expected = hmac.new(hook["secret"].encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(expected, v1), "the signature does not verify"
        assert abs(int(t) - time.time()) < 60
        event = json.loads(body)
        assert event["type"] == "meeting.completed" and event["id"] == headers["Foothold-Delivery"], event
        assert event["data"]["meeting_id"] == meeting["id"], event
        status, listed = call(port, "GET", f"/webhooks/{hook['id']}/deliveries", token)
        first = listed["items"][0]
        assert first["status"] == "queued" and first["attempts"] == 1 and first["last_status"] == 500, first
        print("a completion arrived over HTTPS, signed; the receiver's 500 leaves it queued for a retry", flush=True)
        wait("the retry", lambda: len(received) >= 2, seconds=100)
        assert received[1][0]["Foothold-Delivery"] == headers["Foothold-Delivery"] and received[1][1] == body
        status, listed = wait("delivered", lambda: (lambda r: r if r[1]["items"][0]["status"] == "delivered" else None)(
            call(port, "GET", f"/webhooks/{hook['id']}/deliveries", token)))
        print("retried a minute later with the same delivery id and body, then delivered", flush=True)
    finally:
        for process in (strict, open_server):
            if process:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=15)
        receiver.shutdown()
    print("webhook test passed")


if __name__ == "__main__":
    main()
