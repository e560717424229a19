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
key=cli-test-key-0123456789abcdef
RELGRAPH_PORT=0 RELGRAPH_API_KEYS="reader:$key" "$relgraph" serve --db "$tmp/g.db" 2>"$tmp/serve.log" &
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
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET /v1/stats HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' "$key" >&3
  reply=$(cat <&3)
  exec 3<&-
  echo "$reply" | grep -q '"articles":' || fail "stats with a reader key: $reply"
  # One JSON log line per request, with a request id; the key never appears in the log.
  grep -q '"msg":"request".*"path":"/v1/stats".*"request_id":"' "$tmp/serve.log" \
    || grep -q '"path":"/v1/stats"' "$tmp/serve.log" || fail "no JSON log line for /v1/stats"
  grep '"path":"/v1/stats"' "$tmp/serve.log" | grep -q '"request_id":"[^"]' || fail "log line without a request id"
  grep -q "$key" "$tmp/serve.log" && fail "the API key appears in the log"
fi
kill -TERM "$server"
wait "$server"
status=$?
server=
[ $status -eq 0 ] || fail "serve exited $status on SIGTERM"
grep -q "stopped" "$tmp/serve.log" || fail "serve did not log a clean stop"

# check-dictionaries: the bundled data passes; a bad dictionary fails with file:line messages.
"$relgraph" check-dictionaries >"$tmp/check.out" 2>&1 || fail "check-dictionaries on the bundled data: $(tail -5 "$tmp/check.out")"
mkdir -p "$tmp/baddict"
cat >"$tmp/baddict/people.json" <<'JSON'
[
  {"key": "ada-quill", "name": "Ada Quill", "kind": "person", "aliases": ["Beijing"],
   "roles": [{"title": "president", "country": "freedonia", "from": "2020-01-01", "to": "2024-01-01"},
     {"title": "president", "country": "freedonia", "from": "2023-06-01", "to": null},
     {"title": "grand vizier", "country": "freedonia", "from": "2020-01-01"},
     {"title": "foreign minister", "country": "atlantis", "from": "2021-13-45"}]},
  {"key": "freedonia", "name": "Freedonia", "kind": "country"}
]
JSON
cat >"$tmp/baddict/more.json" <<'JSON'
[
  {"key": "freedonia", "name": "Freedonia Again", "kind": "country"},
  {"key": "mystery", "name": "Mystery Entity"}
]
JSON
"$relgraph" check-dictionaries --dictionary "$tmp/baddict" >"$tmp/bad.out" 2>&1
[ $? -eq 1 ] || fail "check-dictionaries on a bad dictionary does not exit 1"
for want in 'people.json:2: error: .*"Beijing" (aliases) already stands for "china"' \
            'people.json:4: error: .*overlaps the one at line 3' \
            'people.json:5: error: .*unknown title "grand vizier"' \
            'people.json:6: error: .*unknown country or organisation "atlantis"' \
            'people.json:6: error: .*"from" is not a date' \
            'people.json:7: error: entry "freedonia": key already defined at .*more.json:2' \
            'more.json:3: error: entry "mystery": missing "kind"'; do
  grep -q -- "$want" "$tmp/bad.out" || fail "check-dictionaries did not report /$want/: $(cat "$tmp/bad.out")"
done

# --dictionary: extra entities are used by eval (and a key defined twice names both files).
mkdir -p "$tmp/dict" "$tmp/gold"
echo '[{"key": "aurelio-fantini", "name": "Aurelio Fantini", "kind": "person", "gender": "male"}]' >"$tmp/dict/analysts.json"
printf 'Aurelio Fantini praised India on Monday.\n' >"$tmp/gold/a.txt"
echo '{"article": {"published_at": "2024-05-01"}, "entities": [{"name": "Aurelio Fantini"}, {"name": "India"}],
 "relations": [{"type": "praises", "subject": "Aurelio Fantini", "object": "India"}]}' >"$tmp/gold/a.gold.json"
"$relgraph" eval --dictionary "$tmp/dict" --min-f1 1 "$tmp/gold" >/dev/null 2>&1 || fail "eval --dictionary does not use the extra dictionary"
"$relgraph" eval --min-f1 1 "$tmp/gold" >/dev/null 2>&1 && fail "eval without --dictionary knows an analyst's entity"
"$relgraph" ingest --dictionary "$tmp/dict" --db "$tmp/d.db" "$tmp/gold/a.txt" >/dev/null || fail "ingest --dictionary fails"
mkdir -p "$tmp/dict2"
echo '[{"key": "aurelio-fantini", "name": "A. Fantini", "kind": "person"}]' >"$tmp/dict2/dup.json"
"$relgraph" eval --dictionary "$tmp/dict" --dictionary "$tmp/dict2" "$tmp/gold" >/dev/null 2>"$tmp/dup.err" \
  && fail "a key defined in two dictionary files is accepted"
grep -q "dup.json" "$tmp/dup.err" && grep -q "analysts.json" "$tmp/dup.err" || fail "the duplicate key error does not name both files: $(cat "$tmp/dup.err")"

# import-dictionary --format petrarch: a PETRARCH actors file becomes a usable dictionary.
cat >"$tmp/test.actors.txt" <<'PETR'
<!-- A PETRARCH-format actors dictionary written for this test -->
<!--
  multi-line comment
-->
+ORPHAN_ALIAS
FREEDONIA [FRD]  # the actor
+FREEDONIAN
FREEDONIANS [FRD]
SYLVANIA_ [SYL]
+SYLVANIAN_ARMY
RUFUS_T._FIREFLY
	[FRDGOV 19330101-19331231]
	[FRDELI >331231]
BOGUS_ACTOR [---]
GRAND_FENWICK_DUCHY
	[GFK]
PETR
mkdir -p "$tmp/imported"
"$relgraph" import-dictionary --format petrarch "$tmp/test.actors.txt" -o "$tmp/imported/actors.json" 2>"$tmp/import.err" \
  || fail "import-dictionary exits non-zero: $(cat "$tmp/import.err")"
grep -q "4 actors (3 countries, 0 organizations, 1 people), 3 aliases, 1 actors merged" "$tmp/import.err" \
  || fail "import summary: $(cat "$tmp/import.err")"
grep -q "alias before any actor): lines 5" "$tmp/import.err" && grep -q "discard code \[---\]): lines 14" "$tmp/import.err" \
  || fail "import does not report skipped lines with reasons: $(cat "$tmp/import.err")"
grep -q '"key": "rufus-t-firefly", "name": "Rufus T. Firefly", "kind": "person"' "$tmp/imported/actors.json" \
  || fail "imported person: $(cat "$tmp/imported/actors.json")"
"$relgraph" check-dictionaries --dictionary "$tmp/imported" >"$tmp/imported.check" 2>&1 \
  || fail "the imported dictionary does not pass check-dictionaries: $(cat "$tmp/imported.check")"
printf 'Freedonia criticized Sylvania on Tuesday.\n' >"$tmp/gold/b.txt"
echo '{"article": {"published_at": "2024-05-01"}, "entities": [{"name": "Freedonia"}, {"name": "Sylvania"}],
 "relations": [{"type": "criticizes", "subject": "Freedonia", "object": "Sylvania"}]}' >"$tmp/gold/b.gold.json"
"$relgraph" eval --dictionary "$tmp/imported" --dictionary "$tmp/dict" --min-f1 1 "$tmp/gold" >/dev/null 2>&1 \
  || fail "the imported dictionary is not used by eval"
"$relgraph" import-dictionary --format cameo "$tmp/test.actors.txt" >/dev/null 2>&1 && fail "an unknown --format is accepted"

if [ $failures -gt 0 ]; then
  echo "$failures CLI checks failed"
  exit 1
fi
echo "all CLI checks passed"
