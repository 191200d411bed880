#!/usr/bin/env python3
"""Crash test: drive POST /contacts (with tags, interest links and an organization) at the
real binary from several connections, SIGKILL the server while writes are in flight, restart
it on the same database, and require every acknowledged contact to be there exactly as it was
acknowledged: every field, its tags and its interest links. Two rounds. Fails on any answer
other than 201 before the kill, on fewer than MIN_ACKED acknowledged writes per round, when no
write was in flight at the kill, or when the server does not run at synchronous=full."""
import atexit, http.client, json, os, re, signal, sqlite3, subprocess, sys, tempfile, threading, time

MIN_ACKED = 300
WRITERS = 4
binary = os.path.realpath(sys.argv[1])
work = tempfile.mkdtemp(prefix="foothold-crash-")
db = os.path.join(work, "crash.sqlite")
servers = []
failures = []


def fail(message):
    failures.append(message)
    print(f"crash test: FAIL: {message}", flush=True)


def start():
    path = os.path.join(work, f"stderr-{time.time()}.log")
    log = open(path, "w+")
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--db", db, "--quiet"], stderr=log, stdout=subprocess.DEVNULL)
    servers.append(proc)
    deadline = time.time() + 30
    while time.time() < deadline:
        log.seek(0)
        text = log.read()
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+) \(database .*, synchronous (\w+)\)", text)
        if found:
            tokens = re.findall(r"shown only now\): (fh_[A-Za-z0-9_-]+)", text)
            if found.group(2) != "full":
                fail(f"the server reports synchronous {found.group(2)}, not full")
            return proc, int(found.group(1)), tokens[0] if tokens else None
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    log.seek(0)
    raise SystemExit(f"crash test: server did not start: {log.read()}")


@atexit.register
def cleanup():
    for server in servers:
        if server.poll() is None:
            server.kill()


def call(port, token, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, json.loads(payload) if payload else None


def drive_round(port, token, interests, organization, round_number):
    """Writes until killed; returns {id: acknowledged object}."""
    acknowledged = {}
    lock = threading.Lock()
    in_flight = [0]
    killed = threading.Event()
    cut_off = [0]  # writers whose request was cut off by the kill

    def writer(worker):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        index = 0
        while True:
            body = {
                "name": f"Crash {round_number}-{worker}-{index}", "title": f"Title {index % 7}",
                "email": f"crash{round_number}.{worker}.{index}@example.com", "location": "City",
                "organization_id": organization, "hook": "Your talk", "notes": "x" * 200,
                "tags": ["crash", f"w{worker}", f"i{index % 5}"], "interest_ids": interests[: 1 + index % len(interests)],
            }
            with lock:
                if killed.is_set():
                    return
                in_flight[0] += 1
            try:
                connection.request("POST", "/contacts", body=json.dumps(body),
                                   headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    in_flight[0] -= 1
                    if killed.is_set():
                        cut_off[0] += 1
                    else:
                        fail(f"writer {worker}: {error!r} before the kill")
                return
            with lock:
                in_flight[0] -= 1
                if response.status == 201:
                    created = json.loads(payload)
                    acknowledged[created["id"]] = created
                elif not killed.is_set():
                    fail(f"writer {worker}: answer {response.status} {payload[:200]!r}")
                    return
            index += 1

    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    deadline = time.time() + 60
    while time.time() < deadline and not failures:
        with lock:
            if len(acknowledged) >= MIN_ACKED + 100 and in_flight[0] > 0:
                # Killed under the lock: no writer starts or finishes a request in between,
                # so at least one request is in the server's hands at the kill.
                os.kill(servers[-1].pid, signal.SIGKILL)
                killed.set()
                in_flight_at_kill = in_flight[0]
                break
        time.sleep(0.001)
    else:
        killed.set()
        os.kill(servers[-1].pid, signal.SIGKILL)
        fail(f"round {round_number}: only {len(acknowledged)} writes acknowledged in 60 s")
        in_flight_at_kill = 0
    servers[-1].wait()
    for thread in threads:
        thread.join(timeout=15)
        if thread.is_alive():
            fail(f"round {round_number}: a writer did not notice the kill within 15 s")
    if in_flight_at_kill == 0 or cut_off[0] == 0:
        fail(f"round {round_number}: no write was in flight at the kill")
    if len(acknowledged) < MIN_ACKED:
        fail(f"round {round_number}: only {len(acknowledged)} writes acknowledged (need {MIN_ACKED})")
    print(f"crash test: round {round_number}: {len(acknowledged)} writes acknowledged, {cut_off[0]} cut off by SIGKILL", flush=True)
    return acknowledged


proc, port, token = start()
if not token:
    raise SystemExit("crash test: no owner token printed")
interests = []
for name in ("Robotics", "Climate", "Health"):
    status, created = call(port, token, "POST", "/interests", {"name": name})
    if status != 201:
        raise SystemExit(f"crash test: creating an interest answered {status}")
    interests.append(created["id"])
status, created = call(port, token, "POST", "/organizations", {"name": "Acme", "interest_ids": interests})
if status != 201:
    raise SystemExit(f"crash test: creating an organization answered {status}")
organization = created["id"]

acknowledged = {}
for round_number in (1, 2):
    if round_number > 1:
        proc, port, _ = start()
    acknowledged.update(drive_round(port, token, interests, organization, round_number))

# Restart on the same database: recovery must keep every acknowledged write exactly.
proc, port, _ = start()
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
missing, changed = [], []
for contact_id, expected in sorted(acknowledged.items()):
    connection.request("GET", f"/contacts/{contact_id}", headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    payload = response.read()
    if response.status != 200:
        missing.append(contact_id)
    elif json.loads(payload) != expected:
        changed.append((contact_id, expected, json.loads(payload)))
proc.send_signal(signal.SIGTERM)
proc.wait(timeout=15)
with sqlite3.connect(db) as conn:
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    tags = conn.execute("SELECT count(*) FROM contact_tags t JOIN contacts c ON c.id = t.contact_id WHERE c.name LIKE 'Crash %'").fetchone()[0]
check = subprocess.run([binary, "check", "--db", db], capture_output=True, text=True)
count = len(acknowledged)
print(f"crash test: {count} writes acknowledged before SIGKILL over 2 rounds, {count - len(missing) - len(changed)} found "
      f"exactly after restart, integrity_check={integrity}, foothold check exit {check.returncode}, {tags} tag rows")
if missing:
    fail(f"missing ids {missing[:20]}")
for contact_id, expected, found in changed[:5]:
    fail(f"contact {contact_id} differs: acknowledged {expected}, found {found}")
if integrity != "ok" or check.returncode != 0:
    fail(f"integrity {integrity}; {check.stdout}{check.stderr}")
if failures:
    print("crash test: 0 passed, 1 failed")
    sys.exit(1)
print("crash test: 1 passed, 0 failed")
