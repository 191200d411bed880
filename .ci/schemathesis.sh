#!/usr/bin/env bash
# Runs Schemathesis (PyPI, pinned with all its dependencies in .ci/requirements.txt, in a
# virtualenv of this checkout's own) against a live server started from the given binary on a
# fresh database, with the owner's token; fails on any finding.
set -euo pipefail
binary="$(realpath "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-40}"
venv="${SCHEMATHESIS_VENV:-$root/.build-ci/schemathesis-venv}"
# Rebuilt whenever the pinned list changes; a venv from another list is never reused.
stamp="$venv/requirements.sha256"
want="$(sha256sum "$root/.ci/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/st" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --no-deps -r "$root/.ci/requirements.txt"
    "$venv/bin/pip" check
    echo "$want" > "$stamp"
fi
work="$(mktemp -d)"
trap 'kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
# A high auth-failure limit: Schemathesis sends bad tokens on purpose, and 429 for the rest
# of the run would hide real findings.
"$binary" serve --port 0 --db "$work/st.sqlite" --quiet --auth-failure-limit 100000 2> "$work/stderr.log" &
pid=$!
port=""
token=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/stderr.log" | head -1)
    token=$(sed -n 's/.*shown only now): \(fh_[A-Za-z0-9_-]*\).*/\1/p' "$work/stderr.log" | head -1)
    [ -n "$port" ] && [ -n "$token" ] && break
    sleep 0.1
done
[ -n "$port" ] && [ -n "$token" ] || { echo "schemathesis: server did not start"; cat "$work/stderr.log"; exit 1; }
# DELETE /tokens/{id} is tested too, with generated ids: the run's own token gets an id no
# generator picks (after a placeholder row at 10^12), so the run does not revoke itself.
python3 - "$work/st.sqlite" <<'PY'
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    db.execute("INSERT INTO tokens (id, user_id, name, lookup, secret_hash, created_at, updated_at) "
               "VALUES (1000000000000, 1, 'placeholder', 'none', x'00', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')")
    # A generated POST seldom names a contact that exists, so meetings, referrals, events and outreach are
    # seeded, with small ids the generator tries early, so their routes see objects and not only
    # 404s. Their contacts sit at ids no generator picks, so DELETE /contacts/{id} leaves them be.
    t = "'2026-01-01T00:00:00.000Z'"
    db.execute(f"INSERT INTO contacts (id, user_id, name, created_at, updated_at) VALUES (2000000000000, 1, 'Referrer', {t}, {t})")
    db.execute(f"INSERT INTO contacts (id, user_id, name, created_at, updated_at) VALUES (2000000000001, 1, 'Referred', {t}, {t})")
    # Ids 1–5 are read, patched and acted on; 11–15 are the ones DELETE takes (see schemathesis.toml).
    for n in list(range(1, 6)) + list(range(11, 16)):
        db.execute(f"INSERT INTO referrals (id, user_id, referrer_id, contact_id, created_at, updated_at) VALUES ({n}, 1, 2000000000000, 2000000000001, {t}, {t})")
        db.execute(f"INSERT INTO events (id, user_id, name, recommended_by_id, created_at, updated_at) VALUES ({n}, 1, 'Meetup', 2000000000000, {t}, {t})")
        db.execute(f"INSERT INTO outreach (id, user_id, contact_id, channel, direction, sent_at, created_at, updated_at) "
                   f"VALUES ({n}, 1, 2000000000000, 'email', 'outbound', {t}, {t}, {t})")
        db.execute(f"INSERT INTO insights (id, user_id, contact_id, kind, text, created_at, updated_at) VALUES ({n}, 1, 2000000000000, 'advice', 'Seeded', {t}, {t})")
        db.execute(f"INSERT INTO skills (id, user_id, name, name_key, created_at, updated_at) VALUES ({n}, 1, 'Seeded {n}', 'seeded {n}', {t}, {t})")
    for meeting in list(range(1, 6)) + list(range(11, 16)) + [999999]:
        db.execute(f"INSERT INTO meetings (id, user_id, contact_id, status, scheduled_at, created_at, updated_at) "
                   f"VALUES ({meeting}, 1, 2000000000000, 'scheduled', {t}, {t}, {t})")
    # Dismissed agenda items for DELETE /agenda/dismissals/{kind}/{ref_id} to bring back (ref ids 1–5).
    for kind in ["ask_referral_again", "coach_note", "contact_referral", "event", "follow_up", "keep_in_touch", "meeting", "prep_missing", "thank_you",
                 "try_second_contact"]:
        for n in range(1, 6):
            db.execute(f"INSERT INTO agenda_dismissals (user_id, kind, ref_id, created_at) VALUES (1, '{kind}', {n}, {t})")
    # Calendar feeds: ids 1–5 for DELETE /feeds/{id}, and one whose token the calendar route is given.
    import hashlib
    token = "fc_" + "S" * 43
    for n in range(1, 6):
        db.execute("INSERT INTO feeds (id, user_id, name, lookup, secret_hash, created_at, updated_at) VALUES (?, 1, 'seeded', ?, ?, ?, ?)",
                   (n, token[:12], hashlib.sha256(token.encode()).digest(), "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"))
    # Accounts (issue 23). The run's account (1) is made an admin, so nothing generated can take
    # it away: an admin may not demote, disable or delete an admin (403), and an owner it cannot
    # touch (id 10^12+1) keeps the last-owner rule satisfied. Members 11–15 are read and patched,
    # 16–20 deleted; invitations likewise.
    db.execute("UPDATE users SET role = 'admin' WHERE id = 1")
    db.execute(f"INSERT INTO users (id, name, role, created_at, updated_at) VALUES (1000000000001, 'st-owner-5c1e', 'owner', {t}, {t})")
    for n in range(7, 8):
        db.execute(f"INSERT INTO users (id, name, created_at, updated_at) VALUES ({n}, 'st-sharer', {t}, {t})")
    for n in range(11, 21):
        db.execute(f"INSERT INTO users (id, name, created_at, updated_at) VALUES ({n}, 'member-{n}', {t}, {t})")
    for n in list(range(1, 6)) + list(range(11, 16)):
        db.execute(f"INSERT INTO invites (id, created_by, role, lookup, secret_hash, expires_at, created_at, updated_at) "
                   f"VALUES ({n}, 1, 'member', 'fi_seeded{n:03d}', x'00', '2100-01-01T00:00:00.000Z', {t}, {t})")
    # Shares: 7 shares its search with the run's account as a coach (the /accounts/7/… reads and
    # notes); members 11–15 share theirs with it (DELETE /shares takes those); the run's account
    # shares its own with 11–15 (ids 21–25: their reads log).
    db.execute(f"INSERT INTO shares (id, user_id, grantee_id, scope, created_at, updated_at) VALUES (1, 7, 1, 'coach', {t}, {t})")
    db.execute(f"INSERT INTO contacts (id, user_id, name, created_at, updated_at) VALUES (3000000000000, 7, 'Shared contact', {t}, {t})")
    for n in range(11, 16):
        db.execute(f"INSERT INTO shares (id, user_id, grantee_id, scope, created_at, updated_at) VALUES ({n}, {n}, 1, 'read', {t}, {t})")
        db.execute(f"INSERT INTO shares (id, user_id, grantee_id, scope, created_at, updated_at) VALUES ({n + 10}, 1, {n}, 'read', {t}, {t})")
        db.execute(f"INSERT INTO share_reads (share_id, day, method, route, count, first_at, last_at) VALUES ({n + 10}, '2026-01-01', 'GET', '/contacts', 3, {t}, {t})")
    for n in range(1, 6):
        db.execute(f"INSERT INTO coach_notes (id, user_id, author_id, author_name, text, created_at, updated_at) VALUES ({n}, 1, 7, 'st-sharer', 'Seeded note', {t}, {t})")
    # An agenda under a meeting no generated DELETE picks (999999): items 1–10 to read and move, 11–20 to delete.
    for item in range(1, 21):
        db.execute(f"INSERT INTO meeting_questions (id, meeting_id, text, position, created_at, updated_at) "
                   f"VALUES ({item}, 999999, 'Seeded question', {item}, {t}, {t})")
PY
token=$("$binary" token create --user owner --name schemathesis --db "$work/st.sqlite")
"$venv/bin/st" --config-file "$root/.ci/schemathesis.toml" run "$root/openapi.yaml" --url "http://127.0.0.1:$port" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --max-examples "$max_examples" --seed 1 --workers 1 --no-color
if grep -q "error: request" "$work/stderr.log"; then
    echo "schemathesis: the server logged request failures:"
    grep "error: request" "$work/stderr.log" | head -20
    exit 1
fi
