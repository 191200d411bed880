#!/usr/bin/env python3
"""Crash test: drive POST /contacts at the real binary from several connections, record
every 201, SIGKILL the server mid-stream, restart it on the same database, and require
every acknowledged contact to be there and the database to pass integrity checks."""
import http.client, json, os, re, signal, sqlite3, subprocess, sys, tempfile, threading, time

binary = os.path.realpath(sys.argv[1])
work = tempfile.mkdtemp(prefix="foothold-crash-")
db = os.path.join(work, "crash.sqlite")


def start():
    path = os.path.join(work, f"stderr-{time.time()}.log")
    log = open(path, "w+")
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--db", db, "--quiet"], stderr=log, stdout=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        log.seek(0)
        text = log.read()
        ports = re.findall(r"listening on http://127\.0\.0\.1:(\d+)", text)
        if ports:
            tokens = re.findall(r"shown only now\): (fh_[A-Za-z0-9_-]+)", text)
            return proc, int(ports[-1]), tokens[0] if tokens else None
        time.sleep(0.05)
    raise SystemExit("crash test: server did not start")


servers = []


def cleanup():
    for server in servers:
        if server.poll() is None:
            server.kill()


import atexit
atexit.register(cleanup)
proc, port, token = start()
servers.append(proc)
acknowledged = {}
lock = threading.Lock()
stop = threading.Event()


def drive(worker):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    index = 0
    while not stop.is_set():
        name = f"Crash {worker}-{index}"
        body = json.dumps({"name": name, "tags": ["crash"], "notes": "x" * 200})
        try:
            connection.request("POST", "/contacts", body=body,
                               headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            return  # the server was killed
        if response.status == 201:
            with lock:
                acknowledged[json.loads(payload)["id"]] = name
        index += 1


threads = [threading.Thread(target=drive, args=(n,)) for n in range(4)]
for thread in threads:
    thread.start()
deadline = time.time() + 20
while time.time() < deadline:
    with lock:
        if len(acknowledged) >= 400:
            break
    time.sleep(0.05)
os.kill(proc.pid, signal.SIGKILL)
proc.wait()
stop.set()
for thread in threads:
    thread.join(timeout=10)
count = len(acknowledged)
if count == 0:
    raise SystemExit("crash test: no write was acknowledged before the kill")

# Restart on the same database: recovery must keep every acknowledged write.
proc, port, _ = start()
servers.append(proc)
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
missing = []
for contact_id, name in sorted(acknowledged.items()):
    connection.request("GET", f"/contacts/{contact_id}", headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    payload = response.read()
    if response.status != 200 or json.loads(payload)["name"] != name:
        missing.append(contact_id)
proc.send_signal(signal.SIGTERM)
proc.wait(timeout=15)
with sqlite3.connect(db) as conn:
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
check = subprocess.run([binary, "check", "--db", db], capture_output=True, text=True)
print(f"crash test: {count} writes acknowledged before SIGKILL, {count - len(missing)} found after restart, "
      f"integrity_check={integrity}, foothold check exit {check.returncode}")
if missing or integrity != "ok" or check.returncode != 0:
    print(f"crash test: missing ids {missing[:20]}; {check.stdout}{check.stderr}")
    print("crash test: 0 passed, 1 failed")
    sys.exit(1)
print("crash test: 1 passed, 0 failed")
