#!/usr/bin/env python3
"""How long one minute's digests take to queue: 10,000 accounts whose digest is due at once
(confirmed, due a second ago), a release server started on them with SMTP pointed at a closed
loopback port (so nothing is delivered), and the time its digest thread logs for queueing them.
Target: under 1 s (bench/README.md).

    python3 bench/digests.py [--accounts 10000] [--rounds 3] [--binary .build/release/foothold]
"""
import argparse, datetime, os, re, socket, sqlite3, statistics, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def round_once(binary, accounts):
    work = tempfile.mkdtemp(prefix="foothold-digests-")
    db = os.path.join(work, "foothold.sqlite")
    subprocess.run([binary, "migrate", "--db", db], check=True, capture_output=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    due = (now - datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    zones = ["UTC", "Europe/Oslo", "America/New_York", "Asia/Tokyo"]
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO users (name, time_zone, created_at, updated_at, digest_email, digest_at, digest_days, digest_confirmed_at, digest_next_at) "
            "VALUES (?, ?, ?, ?, ?, '07:30', 'mon,tue,wed,thu,fri,sat,sun', ?, ?)",
            [(f"digest{i}", zones[i % 4], stamp, stamp, f"person{i}@example.org", stamp, due) for i in range(accounts)])
    closed = free_port()
    log_path = os.path.join(work, "server.log")
    with open(log_path, "w") as log:
        server = subprocess.Popen([binary, "serve", "--quiet", "--db", db, "--port", str(free_port()),
                                   "--smtp-url", f"smtp://127.0.0.1:{closed}", "--smtp-from", "foothold@example.org"],
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            match = re.search(r"digests: queued (\d+) in ([\d.]+) ms", open(log_path).read())
            if match:
                break
            time.sleep(0.1)
        else:
            raise SystemExit("no queueing logged within 60 s:\n" + open(log_path).read()[-2000:])
        queued, millis = int(match.group(1)), float(match.group(2))
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT count(*) FROM deliveries WHERE kind = 'digest'").fetchone()[0]
    finally:
        server.terminate()
        server.wait(timeout=15)
    return queued, rows, millis


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/foothold"))
    args = parser.parse_args()
    times = []
    for round_index in range(args.rounds):
        queued, rows, millis = round_once(args.binary, args.accounts)
        assert queued == args.accounts and rows == args.accounts, (queued, rows)
        times.append(millis)
        print(f"round {round_index + 1}: {queued} digests queued in {millis:.1f} ms", flush=True)
    print(f"median of {args.rounds}: {statistics.median(times):.1f} ms for {args.accounts} accounts (target under 1000 ms)")


if __name__ == "__main__":
    main()
