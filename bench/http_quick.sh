#!/usr/bin/env bash
# bench/http_quick.sh DATA_DIR [CONNECTIONS...]: the HTTP part of bench/run.sh on its own, for
# before/after comparisons while working on the server. DATA_DIR holds graph.db and the request
# lists run.sh writes (paths_nb.txt, paths_rel.txt, paths_sp.txt). The database is copied first
# (the server writes its WAL beside it), so DATA_DIR is only read.
#
# Prints one line per endpoint and connection count: req/s, p50/p99 ms, server CPU µs/req
# (user + system time of the server over the run / requests served: the figure the shared
# machine's load does not inflate).
#
# Environment: RELGRAPH_BUILD (build directory, default build), RELGRAPH_BENCH_TUNABLES
# (GLIBC_TUNABLES for the server, default glibc.malloc.hugetlb=1 as in Docker), BENCH_WRK_SECONDS (5),
# BENCH_THREADS (server worker threads, 64 as in run.sh), BENCH_ENDPOINTS (any of nb rel sp),
# BENCH_DB (serve this database file as it is instead of a fresh copy of DATA_DIR/graph.db:
# for repeated runs on the 10m data, whose copy takes minutes; it must be a copy of yours,
# as the server writes beside it).
set -euo pipefail
DATA=${1:?usage: bench/http_quick.sh DATA_DIR [CONNECTIONS...]}
shift
CONNS=("${@:-16}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${RELGRAPH_BUILD:-$ROOT/build}
SECONDS_PER_RUN=${BENCH_WRK_SECONDS:-5}
THREADS=${BENCH_THREADS:-64}
ENDPOINTS=${BENCH_ENDPOINTS:-nb rel sp}
WORK=$(mktemp -d)
DB=${BENCH_DB:-$WORK/graph.db}
[[ -n ${BENCH_DB:-} ]] || cp "$DATA/graph.db" "$DB"
PORT=$(( 20000 + RANDOM % 20000 ))
GLIBC_TUNABLES=${RELGRAPH_BENCH_TUNABLES-glibc.malloc.hugetlb=1} \
  "$BUILD/relgraph" serve --db "$DB" --port "$PORT" --threads "$THREADS" \
  --max-queued 1024 --quiet 2> "$WORK/serve.log" &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.05
done
# A start from the database writes the snapshot image in the background (1-3 s of CPU and
# ~600 MB of disk at 10M); measure the steady state, after it is written.
for _ in $(seq 1 1200); do [[ -f "$DB.graph-image" ]] && break; sleep 0.1; done
[[ -n ${BENCH_PID_FILE:-} ]] && echo "$PID" > "$BENCH_PID_FILE"
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
HZ=$(getconf CLK_TCK)
printf '%-4s %5s %10s %8s %8s %10s %10s\n' endpoint conns req/s p50_ms p99_ms cpu_us/req bytes/req
for e in $ENDPOINTS; do
  case $e in nb) f=paths_nb.txt ;; rel) f=paths_rel.txt ;; sp) f=paths_sp.txt ;; *) continue ;; esac
  for c in "${CONNS[@]}"; do
    t=$(( c < 2 ? 1 : 2 ))
    c0=$(ticks)
    line=$(WRK_PATHS="$DATA/$f" wrk -t$t -c"$c" -d"${SECONDS_PER_RUN}"s --latency \
             -s "$ROOT/bench/wrk_paths.lua" "http://127.0.0.1:$PORT" | sed -n 's/^WRKJSON //p')
    c1=$(ticks)
    echo "$line" | python3 -c "
import json, sys
r = json.load(sys.stdin)
n = max(1, r['requests'])
cpu = ($c1 - $c0) / $HZ
err = r['errors_status'] + r['errors_connect'] + r['errors_read'] + r['errors_write'] + r['errors_timeout']
print('%-4s %5d %10.0f %8.2f %8.2f %10.0f %10.0f%s' % ('$e', $c, n / (r['duration_us'] / 1e6),
      r['p50_us'] / 1e3, r['p99_us'] / 1e3, cpu * 1e6 / n, r['bytes'] / n,
      '  errors %d' % err if err else ''))"
  done
done
