#!/usr/bin/env python3
"""`foothold reindex` at a centre's size: ACCOUNTS accounts of CONTACTS contacts each, every
contact with a meeting, an outreach entry and a referral, loaded behind the server's back (as
an operator's bulk load would be). Times the reindex and samples the WAL's size while it runs.

    python3 bench/reindex.py [--accounts 10000] [--contacts 100] [--binary .build/release/foothold]

Target (issue 25): 10,000 accounts x 100 contacts reindexed in under 2 minutes on the
project's 2-core machine, with the WAL bounded.
"""
import argparse
import os
import sqlite3
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T = "2026-10-01T09:00:00.000Z"


def stamp(day, hour):
    return f"2026-{9 + day // 30:02d}-{day % 30 + 1:02d}T{hour:02d}:00:00.000Z"


def seed(db, binary, accounts, per_account):
    subprocess.run([binary, "migrate", "--db", db], check=True, capture_output=True)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.executemany("INSERT INTO users (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                     ((u, f"student{u}", T, T) for u in range(1, accounts + 1)))
    contact = 0
    for start in range(1, accounts + 1, 500):
        users = range(start, min(start + 500, accounts + 1))
        organizations, contacts, meetings, outreach, referrals = [], [], [], [], []
        for user in users:
            first_org = (user - 1) * 10 + 1
            organizations += [(first_org + o, user, f"Org {o}", T, T) for o in range(10)]
            first = contact + 1
            for c in range(per_account):
                contact += 1
                contacts.append((contact, user, f"Person {contact}", first_org + c % 10, f"met at the fair {c}", T, T))
                day = contact % 60
                completed = c % 2 == 0
                meetings.append((contact, user, contact, "completed" if completed else "scheduled", stamp(day, 14),
                                 stamp(day, 15) if completed else None, T, T))
                outreach.append((contact, user, contact, "email", "outbound" if c % 3 else "inbound", stamp(day, 9), "asked for 20 minutes", T, T))
                referred = first + (c + 1) % per_account
                referrals.append((contact, user, contact, referred, contact if completed else None, T, T))
        conn.executemany("INSERT INTO organizations (id, user_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", organizations)
        conn.executemany("INSERT INTO contacts (id, user_id, name, organization_id, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", contacts)
        conn.executemany("INSERT INTO meetings (id, user_id, contact_id, status, scheduled_at, completed_at, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", meetings)
        conn.executemany("INSERT INTO outreach (id, user_id, contact_id, channel, direction, sent_at, summary, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", outreach)
        conn.executemany("INSERT INTO referrals (id, user_id, referrer_id, contact_id, meeting_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         referrals)
        conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=100)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/foothold"))
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="foothold-reindex-")
    db = os.path.join(work, "foothold.sqlite")
    started = time.monotonic()
    seed(db, args.binary, args.accounts, args.contacts)
    print(f"seeded {args.accounts:,} accounts x {args.contacts} contacts in {time.monotonic() - started:.1f} s "
          f"({os.path.getsize(db) / 2**20:.0f} MiB)", flush=True)
    peak_wal = 0
    done = threading.Event()

    def sample():
        nonlocal peak_wal
        while not done.wait(0.2):
            try:
                peak_wal = max(peak_wal, os.path.getsize(db + "-wal"))
            except OSError:
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", args.binary, "reindex", "--db", db], capture_output=True, text=True, timeout=args.timeout)
    elapsed = time.monotonic() - started
    done.set()
    sampler.join()
    lines = result.stderr.strip().splitlines()
    for line in lines[:-1][-3:]:
        print("  " + line)
    print("  " + result.stdout.strip())
    print(f"reindex: {elapsed:.1f} s, exit {result.returncode}, peak WAL {peak_wal / 2**20:.1f} MiB, peak RSS {int(lines[-1]) / 1024:.0f} MiB"
          if lines and lines[-1].isdigit() else f"reindex: {elapsed:.1f} s, exit {result.returncode}, peak WAL {peak_wal / 2**20:.1f} MiB")
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
