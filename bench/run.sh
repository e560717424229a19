#!/usr/bin/env bash
# bench/run.sh SIZE: the relgraph benchmark suite at one size (10k | 100k | 1m | 10m relations).
#
# Builds what it needs, generates the data into bench/data/SIZE/ (kept between runs; regenerated
# when the generator changes), then measures, in one run on the same data:
#   - cold start and in-process query latency of relgraph (bench/query_bench),
#   - the same questions answered by igraph, networkx and SQLite recursive CTEs (bench/peers/),
#     with their answers checked against relgraph's,
#   - HTTP throughput and latency with wrk at 1, 16 and 64 connections, HTTP ingest freshness,
#   - bulk ingest through `relgraph ingest`,
# and writes bench/results/SIZE.md and bench/results/SIZE.json (bench/compare.py), then
# bench/results/scaling.md, every size with results side by side (bench/scaling.py).
#
# Environment: RELGRAPH_BUILD (build directory, default build), BENCH_NO_BUILD=1 (use the
# binaries already built there), BENCH_ARTICLES (bulk ingest
# articles, 5000), BENCH_WRK_SECONDS (5), BENCH_SQLITE_BUDGET (seconds per query kind for the
# CTE peer; default by size), BENCH_SKIP (space-separated: networkx sqlite igraph http ingest),
# RELGRAPH_BENCH_TUNABLES (GLIBC_TUNABLES for relgraph's processes, default
# glibc.malloc.hugetlb=1 as the Docker image sets; empty to measure without),
# BENCH_REUSE_PEERS=1 (keep the peers' results of an earlier run on the same generated data
# instead of running them again: at 10m they take over an hour; the report says so).
set -euo pipefail

SIZE=${1:-}
case "$SIZE" in
  10k|100k|1m|10m) ;;
  *) echo "usage: bench/run.sh 10k|100k|1m|10m" >&2; exit 2 ;;
esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${RELGRAPH_BUILD:-$ROOT/build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
DATA=$ROOT/bench/data/$SIZE
RESULTS=$ROOT/bench/results
ARTICLES=${BENCH_ARTICLES:-5000}
WRK_SECONDS=${BENCH_WRK_SECONDS:-5}
SKIP=" ${BENCH_SKIP:-} "
case "$SIZE" in
  10k) BUDGET=${BENCH_SQLITE_BUDGET:-30} ;;
  100k) BUDGET=${BENCH_SQLITE_BUDGET:-60} ;;
  *) BUDGET=${BENCH_SQLITE_BUDGET:-120} ;;
esac
PY=/usr/bin/python3  # Debian's python, where python3-networkx lives
log() { printf '\n== %s\n' "$*" >&2; }
skip() { [[ "$SKIP" == *" $1 "* ]]; }

# ---- tools -------------------------------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
pkg-config --exists igraph 2>/dev/null || need+=(libigraph-dev)
$PY -c 'import networkx' 2>/dev/null || need+=(python3-networkx)
command -v cmake >/dev/null || need+=(cmake)
if ((${#need[@]})); then
  log "installing ${need[*]}"
  SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
fi

log "building in $BUILD"
if [[ ! -f $BUILD/CMakeCache.txt ]] || ! grep -q '^RELGRAPH_BENCH:BOOL=ON' "$BUILD/CMakeCache.txt"; then
  cmake -S "$ROOT" -B "$BUILD" -DRELGRAPH_BENCH=ON >/dev/null
fi
if [[ -z ${BENCH_NO_BUILD:-} ]]; then
  cmake --build "$BUILD" -j2 --target relgraph gen_graph gen_articles query_bench sqlite_cte_peer igraph_peer
fi
B=$BUILD/bench
RELGRAPH=$BUILD/relgraph
# relgraph runs as the Docker image and ./dev.sh serve run it: glibc's malloc asks for
# transparent huge pages for large blocks (set RELGRAPH_BENCH_TUNABLES= to measure without).
RG_TUNABLES=${RELGRAPH_BENCH_TUNABLES-glibc.malloc.hugetlb=1}

# ---- data --------------------------------------------------------------------------------
mkdir -p "$DATA" "$RESULTS"
GEN_VERSION=$(sed -n 's/^constexpr int kGeneratorVersion = \([0-9]*\);.*/\1/p' "$ROOT/bench/gen_graph.cpp")
if [[ ! -f $DATA/meta.json ]] || ! grep -q "\"generator_version\": $GEN_VERSION," "$DATA/meta.json"; then
  log "generating $SIZE relations into $DATA"
  "$B/gen_graph" --relations "$SIZE" --out "$DATA"
fi
"$B/gen_articles" --count "$ARTICLES" --seed 7 > "$DATA/articles.ndjson"
"$B/gen_articles" --count 50 --seed 11 --fresh-pairs > "$DATA/fresh.ndjson"
rm -f "$DATA"/{relgraph,http,ingest,freshness}.json "$DATA/reused_peers.txt"
for peer in igraph networkx sqlite; do
  if [[ -n ${BENCH_REUSE_PEERS:-} && -f $DATA/$peer.json && $DATA/$peer.json -nt $DATA/meta.json ]]; then
    SKIP+=" $peer "
    echo "$peer $(date -u -r "$DATA/$peer.json" '+%Y-%m-%d %H:%M UTC')" >> "$DATA/reused_peers.txt"
    log "reusing the $peer results of $(date -u -r "$DATA/$peer.json" '+%Y-%m-%d %H:%M UTC')"
  else
    rm -f "$DATA/$peer.json"
  fi
done

load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_START=$(load_avg)

# ---- in-process: relgraph and peers --------------------------------------------------------
log "relgraph in-process (query_bench)"
# The cold start measures relgraph's work, not the disk: the database is read once first, so
# that it is in the page cache as on a machine that has just written it (compare.py says so).
cat "$DATA/graph.db" >/dev/null
GLIBC_TUNABLES=$RG_TUNABLES "$B/query_bench" --db "$DATA/graph.db" --queries "$DATA/queries.json" --out "$DATA/relgraph.json" \
  --image "$DATA/graph.db.graph-image"
if ! skip igraph; then
  log "igraph peer"
  "$B/igraph_peer" --edges "$DATA/edges.tsv" --queries "$DATA/queries.json" --out "$DATA/igraph.json"
fi
if ! skip networkx; then
  log "networkx peer"
  $PY "$ROOT/bench/peers/networkx_peer.py" --edges "$DATA/edges.tsv" --queries "$DATA/queries.json" \
    --out "$DATA/networkx.json"
fi
if ! skip sqlite; then
  log "SQLite recursive CTE peer (10 s per query, $BUDGET s per kind)"
  "$B/sqlite_cte_peer" --db "$DATA/graph.db" --queries "$DATA/queries.json" --out "$DATA/sqlite.json" \
    --timeout 10 --budget "$BUDGET"
fi

# ---- HTTP: a copy of the database, so that the generated one stays as generated ------------
WORK=$DATA/work.db
rm -f "$WORK" "$WORK-wal" "$WORK-shm"
if ! skip http || ! skip ingest; then
  cp "$DATA/graph.db" "$WORK"
fi
SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; fi
}
trap stop_server EXIT

if ! skip http; then
  PORT=$(( 20000 + RANDOM % 20000 ))
  THREADS=64
  log "relgraph serve on 127.0.0.1:$PORT"
  T0=$(date +%s.%N)
  GLIBC_TUNABLES=$RG_TUNABLES "$RELGRAPH" serve --db "$WORK" --port "$PORT" --threads $THREADS --max-queued 1024 --quiet \
    2> "$DATA/serve.log" &
  SERVER_PID=$!
  until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA/serve.log" >&2; exit 1; }
    sleep 0.05
  done
  STARTUP=$(awk "BEGIN{print $(date +%s.%N) - $T0}")
  # The start read the database, so the server now writes its snapshot image in the
  # background; the load below measures the steady state, after that.
  for _ in $(seq 1 1200); do [[ -f "$WORK.graph-image" ]] && break; sleep 0.1; done
  server_cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
  # Request lists from the benchmark's queries.
  $PY - "$DATA" <<'EOF'
import json, sys
d = sys.argv[1]
q = json.load(open(d + "/queries.json"))
with open(d + "/paths_rel.txt", "w") as f:
    for v in q["q1"]: f.write(f"/v1/entities/{v}/relations?limit=100\n")
with open(d + "/paths_nb.txt", "w") as f:
    for v in q["q1"]: f.write(f"/v1/neighborhood?entity={v}&depth=1&limit=100\n")
with open(d + "/paths_sp.txt", "w") as f:
    for a, b in q["q3"]: f.write(f"/v1/paths?from={a}&to={b}\n")
EOF
  runs=()
  for spec in "1-hop neighbourhood (100 nodes):paths_nb.txt" "1-hop relations (entity list):paths_rel.txt" \
              "shortest path:paths_sp.txt"; do
    name=${spec%%:*}; file=${spec#*:}
    for c in 1 16 64; do
      t=$(( c < 2 ? 1 : 2 ))
      log "wrk $name, $c connections"
      cpu0=$(server_cpu_ticks)
      line=$(WRK_PATHS="$DATA/$file" wrk -t$t -c$c -d${WRK_SECONDS}s --latency -s "$ROOT/bench/wrk_paths.lua" \
               "http://127.0.0.1:$PORT" | tee /dev/stderr | sed -n 's/^WRKJSON //p')
      cpu1=$(server_cpu_ticks)
      # The server's own CPU time per request (user + system), which the shared machine's load
      # does not inflate the way it inflates wall-clock throughput.
      runs+=("$(echo "$line" | $PY -c "import json,sys; r=json.load(sys.stdin); r['name']='$name'; r['connections']=$c; r['server_cpu_seconds']=($cpu1-$cpu0)/$(getconf CLK_TCK); print(json.dumps(r))")")
    done
  done
  ex_nb=$(head -1 "$DATA/paths_nb.txt"); ex_rel=$(head -1 "$DATA/paths_rel.txt"); ex_sp=$(head -1 "$DATA/paths_sp.txt")
  printf '%s\n' "${runs[@]}" | $PY -c "
import json, sys
runs = [json.loads(l) for l in sys.stdin if l.strip()]
json.dump({'runs': runs, 'seconds': $WRK_SECONDS, 'threads': $THREADS, 'startup_seconds': $STARTUP,
           'examples': {'1-hop neighbourhood (100 nodes)': '$ex_nb', '1-hop relations (entity list)': '$ex_rel',
                        'shortest path': '$ex_sp'}}, open('$DATA/http.json', 'w'))"

  log "HTTP ingest freshness (50 posts)"
  $PY "$ROOT/bench/freshness.py" --port "$PORT" --articles "$DATA/fresh.ndjson" --out "$DATA/freshness.json"
  stop_server
fi

# ---- bulk ingest -----------------------------------------------------------------------------
if ! skip ingest; then
  ingest_run() {  # label db
    local label=$1 db=$2 out
    log "bulk ingest of $ARTICLES articles into $label"
    local t0; t0=$(date +%s.%N)
    out=$( { GLIBC_TUNABLES=$RG_TUNABLES /usr/bin/time -f 'CPU %U %S' "$RELGRAPH" ingest --db "$db" "$DATA/articles.ndjson"; } 2>&1 | tr '\r' '\n' | grep -E '^(ingested|CPU)')
    local wall; wall=$(awk "BEGIN{print $(date +%s.%N) - $t0}")
    echo "$out" >&2
    echo "$out" | $PY -c "
import json, re, sys
text = sys.stdin.read()
m = re.search(r'ingested (\d+) articles .* in ([0-9.]+)s: (\d+) new, (\d+) already stored, (\d+) relation mentions', text)
c = re.search(r'CPU ([0-9.]+) ([0-9.]+)', text)
print(json.dumps({'into': '$label', 'articles': int(m.group(1)), 'seconds': float(m.group(2)),
                  'new': int(m.group(3)), 'mentions': int(m.group(5)), 'wall_seconds': $wall,
                  'cpu_seconds': float(c.group(1)) + float(c.group(2)) if c else None}))"
  }
  EMPTY=$DATA/empty.db
  rm -f "$EMPTY" "$EMPTY-wal" "$EMPTY-shm"
  r1=$(ingest_run "an empty database" "$EMPTY")
  r2=$(ingest_run "the $SIZE database" "$WORK")
  printf '%s\n%s\n' "$r1" "$r2" | $PY -c "
import json, sys
json.dump({'runs': [json.loads(l) for l in sys.stdin if l.strip()]}, open('$DATA/ingest.json', 'w'))"
  rm -f "$EMPTY" "$EMPTY-wal" "$EMPTY-shm"
fi
rm -f "$WORK" "$WORK-wal" "$WORK-shm"

# ---- machine and report ----------------------------------------------------------------------
LOAD_END=$(load_avg)
RG_TUNABLES=$RG_TUNABLES $PY - "$DATA" "$ROOT" "$LOAD_START" "$LOAD_END" <<'EOF'
import json, os, platform, subprocess, sys, datetime
d, root, ls, le = sys.argv[1:5]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
osname = next((l.split("=", 1)[1].strip().strip('"') for l in open("/etc/os-release") if l.startswith("PRETTY_NAME")), platform.system())
try:
    commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    # Result files written by runs at other sizes do not make the build dirty.
    dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"], capture_output=True, text=True).stdout.strip()
    commit += " (+ uncommitted changes)" if dirty else ""
except Exception:
    commit = "?"
json.dump({"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "cpu": cpu, "nproc": os.cpu_count(),
           "mem_gib": round(mem / 2**20, 1), "os": osname + ", kernel " + platform.release(), "commit": commit,
           "load_start": ls, "load_end": le,
           "relgraph_env": "GLIBC_TUNABLES=" + os.environ.get("RG_TUNABLES", "")},
          open(d + "/machine.json", "w"))
EOF
$PY "$ROOT/bench/compare.py" --dir "$DATA" --size "$SIZE" --md "$RESULTS/$SIZE.md" --json "$RESULTS/$SIZE.json" > /dev/null
log "wrote $RESULTS/$SIZE.md and $RESULTS/$SIZE.json"
# The sizes side by side (each from its own latest run).
$PY "$ROOT/bench/scaling.py" "$RESULTS"
cat "$RESULTS/$SIZE.md"
