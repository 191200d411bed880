#!/usr/bin/env bash
# Mutation check: applies each deliberate bug below, one at a time, to a scratch clone of the
# committed HEAD, rebuilds, and runs the whole test suite (`swift test`). Every mutant must
# make the suite fail ("killed"); one that passes ("SURVIVED") means the tests cannot see that
# bug. Exits non-zero if any mutant survived or could not be applied. Not part of CI (it
# rebuilds once per mutant, ~2 min each on 2 cores); run it from any clone:
#     bash scripts/mutants.sh [scratch-dir]
# MUTANTS=name,name runs only those (their names are the list's first column).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="${1:-$(mktemp -d /tmp/foothold-mutants.XXXXXX)}"
bash "$root/scripts/install-deps.sh"
rm -rf "$scratch/src"
git clone -q "$root" "$scratch/src"
cd "$scratch/src"
log="$scratch/log"
mkdir -p "$log"

# name | file | exact text | replacement (each text must occur exactly once)
mutants=$(cat <<'LIST'
list-without-account-scope|Sources/Domain/Storage/RecordStore.swift|conditions: ["\(sql.alias).user_id = ?"], arguments: [userID],|conditions: [], arguments: [],
create-skips-tags|Sources/Domain/Contacts/ContactStore.swift|        try tags.replace(connection, owner: contact.id, with: contact.tags, current: current?.tags)|        if current != nil { try tags.replace(connection, owner: contact.id, with: contact.tags, current: current?.tags) }
conflict-409-as-400|Sources/HTTPCore/Response/Problem.swift|Problem(status: 409, code: code, detail: detail, extensions: extensions)|Problem(status: 400, code: code, detail: detail, extensions: extensions)
if-match-skipped|Sources/Domain/Support/VersionPrecondition.swift|            throw DomainError.preconditionFailed(currentVersion: current)|            _ = current
framing-error-answered-200|Sources/HTTPCore/Server/Connection.swift|let problem = Problem(status: error.status, code: error.code, detail: error.detail)|let problem = Problem(status: 200, code: error.code, detail: error.detail)
backup-copies-nothing|Sources/SQLiteCore/Maintenance.swift|            code = sqlite3_backup_step(backup, -1)|            code = SQLITE_DONE
synchronous-pragma-dropped|Sources/SQLiteCore/SQLiteConnection.swift|            try execute("PRAGMA synchronous = \(options.synchronous.rawValue)")|            _ = options.synchronous
completion-skips-contact-rules|Sources/Domain/Meetings/MeetingService.swift|                    try rules.apply(draft, to: &contact)|                    contact.name = draft.name.applied(to: nil) ?? ""; try Validator().finish()
restore-skips-contact-rules|Sources/Domain/Interop/AccountRestore.swift|        "contacts": .resource(ContactRules()),|
three-b-seven-in-utc|Sources/Domain/Agenda/Reminders.swift|        var calendar = FollowUpCalendar(zone: ZoneCache.rules(named: row?.zone ?? "UTC"))|        var calendar = FollowUpCalendar(zone: ZoneCache.rules(named: "UTC"))
knowledge-ranks-by-mentions|Sources/Domain/Knowledge/KnowledgeReport.swift|            case .people: "count(DISTINCT \(KnowledgeService.speaker)) AS people"|            case .people: "count(*) AS people"
LIST
)

apply() {  # file, text, replacement
    python3 - "$1" "$2" "$3" <<'PY'
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
count = text.count(old)
if count != 1:
    sys.exit(f"mutant text occurs {count} times in {path}: {old}")
open(path, "w").write(text.replace(old, new))
PY
}

echo "mutants: building the unmutated suite in $scratch/src"
swift build --build-tests >"$log/build-base.txt" 2>&1 || { tail -30 "$log/build-base.txt"; echo "mutants: the unmutated build fails"; exit 1; }
if ! timeout 20m swift test >"$log/test-base.txt" 2>&1; then
    grep -E "✘|error" "$log/test-base.txt" | head -20
    echo "mutants: the unmutated suite fails; fix that first"
    exit 1
fi
echo "mutants: unmutated suite: $(grep -E 'Test run with' "$log/test-base.txt" | tail -1)"

survived=0
broken=0
results=()
while IFS='|' read -r name file old new; do
    [ -n "$name" ] || continue
    if [ -n "${MUTANTS:-}" ] && [[ ",$MUTANTS," != *",$name,"* ]]; then continue; fi
    git checkout -q -- .
    if ! apply "$file" "$old" "$new"; then
        results+=("$name: NOT APPLIED")
        broken=$((broken + 1))
        continue
    fi
    if ! swift build --build-tests >"$log/build-$name.txt" 2>&1; then
        results+=("$name: DOES NOT BUILD (see $log/build-$name.txt)")
        broken=$((broken + 1))
        continue
    fi
    if timeout 20m swift test >"$log/test-$name.txt" 2>&1; then
        results+=("$name: SURVIVED (the suite passed)")
        survived=$((survived + 1))
    else
        failing=$(grep -E '^✘ Test [^ ]+ (failed|recorded)' "$log/test-$name.txt" | sed -E 's/^✘ Test ([^ ]+).*/\1/' | sort -u | head -6 | paste -sd, -)
        results+=("$name: killed — $(grep -E 'Test run with' "$log/test-$name.txt" | tail -1 | sed 's/^.*Test run/test run/') [$failing]")
    fi
    echo "mutants: ${results[-1]}"
done <<<"$mutants"
git checkout -q -- .

echo
echo "mutants: results (logs in $log)"
for line in "${results[@]}"; do echo "  $line"; done
total=${#results[@]}
echo "mutants: $((total - survived - broken)) killed, $survived survived, $broken not applied or not built, of $total"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
