#!/bin/sh
# Runs Foothold under Litestream: restores the database from the replica first when the volume
# has none (a new machine, a lost disk), then replicates every write while Foothold serves.
# Litestream starts Foothold, forwards SIGTERM to it, and syncs once more as it stops.
# Foothold's own flags come from its environment (FOOTHOLD_HOST, FOOTHOLD_PORT, ...).
set -eu
export FOOTHOLD_DB="${FOOTHOLD_DB:-/data/foothold.sqlite}"
export LITESTREAM_REPLICA_PATH="${LITESTREAM_REPLICA_PATH:-/replica}"
# Litestream checkpoints the WAL itself; two checkpointers contend for SQLite's checkpoint
# lock and Litestream's then skips a turn (see Database.Checkpoints in Sources/SQLiteCore).
export FOOTHOLD_CHECKPOINT="${FOOTHOLD_CHECKPOINT:-external}"
config="${LITESTREAM_CONFIG:-/etc/litestream.yml}"
foothold="${FOOTHOLD_BIN:-foothold}"

# Nothing to do when the database exists; a first start with an empty replica starts empty.
existed=no
[ -e "$FOOTHOLD_DB" ] && existed=yes
litestream restore -config "$config" -if-db-not-exists -if-replica-exists "$FOOTHOLD_DB"
# A restored copy is checked (integrity, foreign keys) before it is served.
if [ "$existed" = no ] && [ -e "$FOOTHOLD_DB" ]; then
    echo "replicate.sh: restored $FOOTHOLD_DB from the replica" >&2
    "$foothold" check --db "$FOOTHOLD_DB" >&2
fi
exec litestream replicate -config "$config" -exec "$foothold serve"
