#!/usr/bin/env bash
# The server's own time per statement (pg_stat_statements: plan + execute, in µs) for shmlab's
# `atomic` and `for-update` statements (`shmlab run --dsn`, 1 worker) and for the pgbench scripts
# that `bench --backends postgres` runs beside them (1 client, -M extended), on one throwaway
# server. Less sensitive to a busy machine than throughput: it says what each statement costs the
# server, whatever the round trips around it cost (README, PostgreSQL: "Measured beside pgbench").
# Usage: scripts/pg-statement-times.sh [ROUNDS]   (SHMLAB_BIN= another shmlab binary)
set -euo pipefail
rounds=${1:-2}
shmlab=$(realpath "${SHMLAB_BIN:-build/shmlab}")
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d "${TMPDIR:-/tmp}/shmlab-pgstat-XXXXXX")
as_server() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
cleanup() {
  [ -f "$dir/data/postmaster.pid" ] && kill -INT "$(head -1 "$dir/data/postmaster.pid")" && sleep 2
  rm -rf "$dir"
}
trap cleanup EXIT
as_server "$bin/initdb -D $dir/data -U shmlab --auth=trust --no-locale --no-sync --no-instructions" >/dev/null
as_server "$bin/postgres -D $dir/data -k $dir -c listen_addresses='' -c fsync=off \
  -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB \
  -c dynamic_shared_memory_type=mmap -c shared_preload_libraries=pg_stat_statements \
  -c pg_stat_statements.track_planning=on" >"$dir/server.log" 2>&1 &
until [ -S "$dir/.s.PGSQL.5432" ]; do sleep 0.2; done
sleep 0.5
conn="-h $dir -p 5432 -U shmlab postgres"
dsn="host=$dir port=5432 user=shmlab dbname=postgres"
sql() { as_server "$bin/psql -X -q $conn -c \"$1\""; }
sql 'CREATE EXTENSION pg_stat_statements'
sql 'CREATE TABLE cells (id integer PRIMARY KEY, value bigint NOT NULL, last_writer integer NOT NULL, timestamp_ms bigint NOT NULL, write_id bigint NOT NULL, replaced_id bigint NOT NULL DEFAULT 0); INSERT INTO cells VALUES (0, 0, 0, 0, 0, 0)'
echo 'UPDATE cells SET value = value + 1 WHERE id = 0;' >"$dir/update.sql"
printf 'BEGIN;\nSELECT value AS v FROM cells WHERE id = 0 FOR UPDATE \\gset\nUPDATE cells SET value = :v + 1 WHERE id = 0;\nCOMMIT;\n' >"$dir/for-update.sql"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"/*.sql
for _ in $(seq "$rounds"); do
  as_server "cd $dir && $bin/pgbench -n -M extended -c 1 -j 1 -t 3000 -f $dir/update.sql $conn" >/dev/null 2>&1
  as_server "cd $dir && $bin/pgbench -n -M extended -c 1 -j 1 -t 1000 -f $dir/for-update.sql $conn" >/dev/null 2>&1
  TMPDIR=$dir "$shmlab" run --backend postgres --dsn "$dsn" --strategy atomic -w 1 -n 3000 --delay none -q
  TMPDIR=$dir "$shmlab" run --backend postgres --dsn "$dsn" --strategy for-update -w 1 -n 1000 --delay none -q
done
# Each shmlab run has its own schema: the same statement shows once per run.
sql "SELECT calls, round((mean_plan_time * 1000)::numeric, 1) AS plan_us, round((mean_exec_time * 1000)::numeric, 1) AS exec_us, left(regexp_replace(query, '\\\"shmlab_[0-9a-f_]+\\\"\\.', ''), 100) AS query FROM pg_stat_statements WHERE calls >= 1000 ORDER BY query"
