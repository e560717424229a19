#!/usr/bin/env bash
# Crash safety: SIGKILL `relgraph ingest` and `relgraph serve` (taking POSTs) at random points
# of a bulk ingest, restart, and check the store after every kill (store_check check): SQLite
# integrity and foreign keys, relation counters equal their evidence rows, no half-stored
# article (each stored article has exactly the evidence and mentions a clean ingest gives it),
# every acknowledged article present. After each round the full ingest is re-run and the store
# must equal a clean single-run ingest into a fresh database, without duplicates.
#
# Usage: crash_test.sh RELGRAPH STORE_CHECK FIXTURES_DIR [KILLS] [SEED]
# KILLS (default 24) and SEED (default: random, printed) can also come from RELGRAPH_CRASH_KILLS
# and RELGRAPH_CRASH_SEED; a failing run prints the seed that reproduces its kill schedule.
set -uo pipefail
relgraph=$1
store_check=$2
fixtures=$3
kills=${4:-${RELGRAPH_CRASH_KILLS:-24}}
seed=${5:-${RELGRAPH_CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}}
RANDOM=$seed
echo "crash_test: $kills kills, seed $seed (rerun: RELGRAPH_CRASH_SEED=$seed)"

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
now_ms() { date +%s%3N; }

# A few hundred distinct articles (and some repeats) in three NDJSON files.
count=300
distinct=$("$store_check" generate --fixtures "$fixtures" --out "$tmp/in" --count $count --files 3) \
  || { echo "FAIL: generate"; exit 1; }
inputs=("$tmp/in"/part-*.ndjson)

# The clean single-run ingest every crashed store is compared with.
t0=$(now_ms)
"$relgraph" ingest --db "$tmp/ref.db" "${inputs[@]}" >"$tmp/ref.out" 2>&1 \
  || { echo "FAIL: clean ingest: $(cat "$tmp/ref.out")"; exit 1; }
clean_ms=$(($(now_ms) - t0))
"$store_check" check --db "$tmp/ref.db" --complete "${inputs[@]}" || { echo "FAIL: clean store"; exit 1; }
echo "crash_test: clean ingest of $count articles ($distinct distinct) took ${clean_ms} ms"
[ "$clean_ms" -lt 100 ] && clean_ms=100

# A random delay in seconds (printf format) in [0, max_ms) ms; one kill in five comes within
# the first 60 ms (process start, opening and migrating the database).
delay() {
  local max_ms=$1 ms
  if [ $((RANDOM % 5)) -eq 0 ]; then ms=$((RANDOM % 60)); else ms=$(( (RANDOM * 32768 + RANDOM) % max_ms )); fi
  printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# serve on a free port; sets server_pid and port (empty port when it did not come up).
start_server() {
  local log=$1
  "$relgraph" serve --db "$db" --port 0 --threads 4 2>"$log" &
  server_pid=$!
  pids+=("$server_pid")
  port=
  for _ in $(seq 1 200); do
    port=$(sed -n 's/.*on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
    [ -n "$port" ] && return
    kill -0 "$server_pid" 2>/dev/null || return
    sleep 0.02
  done
}

check_store() {
  local what=$1
  shift
  if ! "$store_check" check --db "$db" --reference "$tmp/ref.db" "${ack_args[@]}" "$@" "${inputs[@]}" \
    >"$tmp/check.out" 2>&1; then
    fail "$what: $(cat "$tmp/check.out")"
    # Keep the failing store (in ctest's working directory) for a post-mortem.
    cp "$db" "crash_test-failed-$kill_no.db" 2>/dev/null
    cp "$db-wal" "crash_test-failed-$kill_no.db-wal" 2>/dev/null
    return 1
  fi
  echo "  $what: $(tail -1 "$tmp/check.out")"
}

batch_sizes=(1 5 25 100 500)
kills_done=0  # kills that hit a process with articles still to store
attempt=0
round=0
round_kills=0

new_round() {
  round=$((round + 1))
  round_kills=0
  serve_next=1  # each round starts with the server, so its kill finds work left
  db="$tmp/round$round.db"
  ack_args=()
  echo "crash_test: round $round (fresh database)"
}

# Resume: the full ingest completes the store, which must then equal the clean one; once more
# stores nothing new and nothing twice.
finish_round() {
  "$relgraph" ingest --db "$db" "${inputs[@]}" >"$tmp/ingest.out" 2>&1 \
    || fail "round $round: resumed ingest failed: $(cat "$tmp/ingest.out")"
  check_store "round $round resumed" --complete
  "$relgraph" ingest --db "$db" "${inputs[@]}" >"$tmp/ingest.out" 2>&1
  grep -q " 0 new, $count already stored" "$tmp/ingest.out" \
    || fail "round $round: second re-run: $(cat "$tmp/ingest.out")"
  rm -f "$db" "$db-wal" "$db-shm"
}

new_round
while [ $kills_done -lt "$kills" ] && [ $attempt -lt $((kills * 3)) ]; do
  attempt=$((attempt + 1))
  killed=0
  # The first attempt of a round kills the server while a client POSTs; the others kill
  # `relgraph ingest`.
  if [ $serve_next -eq 1 ]; then
    serve_next=0
    acks="$tmp/acks.$attempt"
    : >"$acks"
    ack_args+=(--acks "$acks")
    start_server "$tmp/serve.$attempt.log"
    if [ -z "$port" ]; then
      fail "attempt $attempt: serve did not start: $(cat "$tmp/serve.$attempt.log")"
      kill -9 "$server_pid" 2>/dev/null
      { wait "$server_pid"; } 2>/dev/null
      continue
    fi
    "$store_check" post --port "$port" --acks "$acks" "${inputs[@]}" 2>"$tmp/post.err" &
    client=$!
    pids+=("$client")
    # One transaction per POST: slower than batches, so kill within 2x the clean time.
    d=$(delay $((clean_ms * 2)))
    sleep "$d"
    kill -9 "$server_pid" 2>/dev/null
    { wait "$server_pid"; } 2>/dev/null
    wait "$client"
    rc=$?
    case $rc in
      0) ;;            # every article was acknowledged before the kill
      3) killed=1 ;;   # the server died under the client
      *) fail "attempt $attempt: client: $(cat "$tmp/post.err")" ;;
    esac
    what="serve killed after ${d}s, $(wc -l <"$acks") acknowledged"
  else
    batch=${batch_sizes[RANDOM % ${#batch_sizes[@]}]}
    d=$(delay "$clean_ms")
    "$relgraph" ingest --db "$db" --batch-size "$batch" "${inputs[@]}" >"$tmp/ingest.out" 2>&1 &
    pid=$!
    pids+=("$pid")
    sleep "$d"
    kill -9 "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null
    rc=$?
    what="ingest --batch-size $batch killed after ${d}s"
    case $rc in
      0)  # Finished first: it acknowledged everything.
        acks="$tmp/acks.$attempt"
        seq 0 $((count - 1)) >"$acks"
        ack_args+=(--acks "$acks") ;;
      137) killed=1 ;;
      *) fail "$what: exit $rc: $(cat "$tmp/ingest.out")" ;;
    esac
  fi
  if [ $killed -eq 1 ]; then
    kills_done=$((kills_done + 1))
    round_kills=$((round_kills + 1))
    what="kill $kills_done: $what"
  else
    what="attempt $attempt: $what [finished before the kill]"
  fi
  check_store "$what"
  # A complete store leaves nothing to interrupt: finish the round and start a fresh one.
  if grep -q "(prefix $count of $count inputs)" "$tmp/check.out" || [ $round_kills -ge 4 ]; then
    finish_round
    [ $kills_done -lt "$kills" ] && new_round
  fi
done
[ -e "$db" ] && finish_round
[ $kills_done -ge "$kills" ] || fail "only $kills_done of $kills kills hit a running ingest in $attempt attempts"

if [ $failures -gt 0 ]; then
  echo "crash_test: $failures failures (seed $seed)"
  exit 1
fi
echo "crash_test: all $kills_done kills passed ($attempt attempts, $round rounds)"
