#!/usr/bin/env bash
# CLI tests against the built binary: help, ingest of each file format, bad input,
# and `serve` stopping cleanly on SIGTERM. Usage: cli_test.sh RELGRAPH FIXTURES_DIR
set -uo pipefail
relgraph=$1
fixtures=$2
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$tmp"' EXIT
server=
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$relgraph" --help >"$tmp/help" 2>&1 || fail "--help exits non-zero"
grep -q serve "$tmp/help" && grep -q ingest "$tmp/help" || fail "--help does not list serve and ingest"
"$relgraph" serve --help | grep -q -- "--fixtures" || fail "serve --help does not list --fixtures"
"$relgraph" frobnicate >/dev/null 2>&1 && fail "an unknown command exits 0"

# Plain text, JSON and NDJSON.
cp "$fixtures/articles/seed-article.txt" "$tmp/seed.txt"
cat >"$tmp/two.ndjson" <<'NDJSON'
{"text": "Japan and the Philippines signed a defence pact on Monday.", "published_at": "2024-07-08"}

{"text": "Brazil praised India on Friday.", "title": "Brazil and India"}
NDJSON
echo '[{"text": "Turkey criticized Sweden.", "published_at": "2023-01-20"}]' >"$tmp/one.json"
out=$("$relgraph" ingest --db "$tmp/g.db" "$tmp/seed.txt" "$tmp/two.ndjson" "$tmp/one.json") \
  || fail "ingest of valid files exits non-zero"
echo "$out" | grep -q "ingested 4 articles from 3 files" || fail "ingest summary: $out"
out=$("$relgraph" ingest --db "$tmp/g.db" "$tmp/seed.txt") || fail "re-ingest exits non-zero"
echo "$out" | grep -q "0 new, 1 already stored" || fail "re-ingest is not recognised as a duplicate: $out"

# Bad input: a message naming the file and line, a non-zero exit, nothing stored.
printf '{"text": "Chile praised Peru."}\n{"text": 5}\nnot json\n' >"$tmp/bad.ndjson"
"$relgraph" ingest --db "$tmp/bad.db" "$tmp/bad.ndjson" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "ingest of a bad file does not exit 2"
grep -q "bad.ndjson:2" "$tmp/err" && grep -q "bad.ndjson:3" "$tmp/err" || fail "bad lines not named: $(cat "$tmp/err")"
[ -e "$tmp/bad.db" ] && fail "a database was written although the input was rejected"
"$relgraph" ingest --db "$tmp/g.db" "$tmp/missing.txt" >/dev/null 2>&1 && fail "a missing file exits 0"

# Listening beyond loopback without API keys is refused.
"$relgraph" serve --db "$tmp/g.db" --host 0.0.0.0 --port 0 >/dev/null 2>"$tmp/refuse" \
  && fail "serve on 0.0.0.0 without keys started"
grep -q "refusing to listen" "$tmp/refuse" || fail "no explanation for the refusal: $(cat "$tmp/refuse")"

# backup: a consistent copy that can be ingested into and served.
"$relgraph" backup --db "$tmp/g.db" "$tmp/copy.db" >/dev/null || fail "backup exits non-zero"
out=$("$relgraph" ingest --db "$tmp/copy.db" "$tmp/seed.txt") || fail "ingest into the backup failed"
echo "$out" | grep -q "1 already stored" || fail "the backup lacks the seed article: $out"
"$relgraph" backup --db "$tmp/nope.db" "$tmp/x.db" >/dev/null 2>&1 && fail "backup of a missing db exits 0"

# serve: answers, then stops cleanly on SIGTERM. Port 0 picks a free port (from the env).
RELGRAPH_PORT=0 "$relgraph" serve --db "$tmp/g.db" 2>"$tmp/serve.log" &
server=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/serve.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "serve did not report its port: $(cat "$tmp/serve.log")"
if [ -n "$port" ]; then
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
  reply=$(cat <&3)
  exec 3<&-
  echo "$reply" | grep -q '"status":"ok"' || fail "healthz: $reply"
fi
kill -TERM "$server"
wait "$server"
status=$?
server=
[ $status -eq 0 ] || fail "serve exited $status on SIGTERM"
grep -q "stopped" "$tmp/serve.log" || fail "serve did not log a clean stop"

if [ $failures -gt 0 ]; then
  echo "$failures CLI checks failed"
  exit 1
fi
echo "all CLI checks passed"
