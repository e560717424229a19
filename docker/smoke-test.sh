#!/usr/bin/env bash
# Builds the relgraph image from the unchanged docker/Dockerfile and checks it as a user would
# run it, with podman (no Docker engine, no registry here; see ../shared/docs/containers.md):
#
#   1. installs podman, runc, debootstrap and curl if missing, writes the podman configuration
#      this sandbox needs, and makes the debian:bookworm-slim base image if it is not there;
#   2. builds the image, prints build time and size, checks size < 150 MB, non-root user,
#      HEALTHCHECK, labels;
#   3. checks the bundled fixtures load with RELGRAPH_FIXTURES;
#   4. on a named volume, with an API key: waits for health, checks a POST without the key is
#      refused, POSTs the seed article, asks a path and a neighbourhood, runs relgraph backup
#      inside the container, stops (SIGTERM, exit 0, well inside the grace period), starts a new
#      container on the same volume and checks the data survived, stops it again.
#
# Everything it creates (containers, volume, image, temporary files) is removed when it ends,
# whether it passes or not. The base image and the installed tools stay: they are setup, and a
# second run reuses them. Needs root (re-runs itself through sudo otherwise). Usage:
#   docker/smoke-test.sh              exit 0 when every check passes
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "smoke-test: FAIL: run as root or install sudo" >&2; exit 1; }
  exec sudo --preserve-env=DEBIAN_MIRROR bash "$0" "$@"
fi

readonly BASE_IMAGE=docker.io/library/debian:bookworm-slim
readonly SIZE_LIMIT_BYTES=150000000   # 150 MB, as `docker images` counts
readonly STOP_TIMEOUT=10              # podman stop -t
readonly STOP_LIMIT_SECONDS=5         # "well before the timeout"
readonly run_id="$$"
readonly image="localhost/relgraph:smoke-${run_id}"
readonly volume="relgraph-smoke-data-${run_id}"
readonly ctr_fixtures="relgraph-smoke-fixtures-${run_id}"
readonly ctr_first="relgraph-smoke-1-${run_id}"
readonly ctr_second="relgraph-smoke-2-${run_id}"
tmp="$(mktemp -d /tmp/relgraph-smoke.XXXXXX)"
readonly tmp
# An API key for this run: relgraph refuses to listen on 0.0.0.0 without one (unless
# RELGRAPH_INSECURE), and a user of the image gives one the same way.
api_key="smoke-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
readonly api_key
t_start=$(date +%s)
current_ctr=""
build_pid=""

log() { printf '[smoke-test %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
fail() {
  printf '\nsmoke-test: FAIL: %s\n' "$*" >&2
  if [ -n "$current_ctr" ] && podman container exists "$current_ctr" 2>/dev/null; then
    echo "---- last log lines of $current_ctr ----" >&2
    podman logs --tail 30 "$current_ctr" >&2 2>&1 || true
  fi
  exit 1
}

cleanup() {
  local rc=$?
  set +e
  if [ -n "$build_pid" ]; then
    log "stopping the image build"
    kill "$build_pid" 2>/dev/null
    wait "$build_pid" 2>/dev/null
    # An interrupted build leaves its working container behind: remove the build containers
    # that appeared while it ran.
    podman ps -a --external -q --no-trunc | grep -vxF -f "$tmp/containers.before" \
      | xargs -r podman rm -f >/dev/null 2>&1
  fi
  if command -v podman >/dev/null; then
    log "removing the containers, volume and images this run created"
    for c in "$ctr_fixtures" "$ctr_first" "$ctr_second"; do
      podman container exists "$c" 2>/dev/null && podman rm -f -v -t 0 "$c" >/dev/null 2>&1
    done
    podman volume exists "$volume" 2>/dev/null && podman volume rm -f "$volume" >/dev/null 2>&1
    podman image exists "$image" 2>/dev/null && podman rmi -f "$image" >/dev/null 2>&1
    # The untagged step images this build committed (the "--> ID" lines of its own log),
    # except any that existed before it (a cache hit): never another build's images.
    if [ -s "$tmp/build.log" ] && [ -f "$tmp/images.before" ]; then
      local id full
      for id in $(sed -nE 's/^--> ([0-9a-f]{11,64})$/\1/p' "$tmp/build.log" | sort -u); do
        full="$(podman image inspect -f '{{.Id}}' "$id" 2>/dev/null)" || continue
        grep -q "$full" "$tmp/images.before" || podman rmi -f "$full" >/dev/null 2>&1
      done
    fi
  fi
  rm -rf "$tmp"
  [ $rc -eq 0 ] || echo "smoke-test: cleaned up after failure (exit $rc)" >&2
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------
# 1. podman, as ../shared/docs/containers.md describes (idempotent)
# ---------------------------------------------------------------------------------------
setup_podman() {
  local missing=() p
  for p in podman runc debootstrap curl; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq || fail "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
      || fail "could not install ${missing[*]}"
  fi

  # Hybrid cgroups and no permission to raise rlimits: runc with cgroupfs, modest ulimits.
  local conf=/etc/containers/containers.conf
  cat > "$tmp/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
EOF
  if ! cmp -s "$tmp/containers.conf" "$conf"; then
    [ -e "$conf" ] && cp -p "$conf" "$conf.before-relgraph-smoke"
    mkdir -p /etc/containers
    cp "$tmp/containers.conf" "$conf"
    log "wrote $conf"
  fi

  if podman image exists "$BASE_IMAGE"; then
    log "base image $BASE_IMAGE present"
  else
    make_base_image
  fi
}

# Nothing can be pulled, so the base image is debootstrapped from the apt mirror and tagged
# with the official name; `FROM debian:bookworm-slim` with --pull=never then resolves to it.
# It is then made "slim" the way the official image is (debuerreotype's slimify and minimizing
# config): no docs, man pages or locales, no apt lists or caches. Without that, the stand-in
# base alone is far larger than the real one and the image size check would measure the wrong
# thing.
make_base_image() {
  local mirror="${DEBIAN_MIRROR:-}"
  if [ -z "$mirror" ]; then
    mirror="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' \
                | grep -v -- '-security' | head -n 1 || true)"
  fi
  if [ -z "$mirror" ]; then
    mirror="$(grep -hs '^deb ' /etc/apt/sources.list | awk '$3 ~ /^bookworm$/ {print $2}' | head -n 1 || true)"
  fi
  mirror="${mirror:-http://deb.debian.org/debian}"
  local rootfs="$tmp/rootfs"
  log "debootstrapping bookworm (minbase) from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$tmp/debootstrap.log" 2>&1 \
    || { tail -n 20 "$tmp/debootstrap.log" >&2; fail "debootstrap failed (log above)"; }

  mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d" "$rootfs/etc/apt/apt.conf.d"
  cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
# As in the official debian:*-slim images: keep docs, man pages and locales out.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
EOF
  cat > "$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' > "$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' > "$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
  printf '#!/bin/sh\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "$rootfs"/usr/share/{groff,info,linda,man}/* "$rootfs"/usr/share/lintian/overrides/* \
         "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
         "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/* "$rootfs"/debootstrap
  mkdir -p "$rootfs/var/lib/apt/lists/partial"

  tar -C "$rootfs" -c . | podman import -q - "$BASE_IMAGE" >/dev/null \
    || fail "podman import of the base image failed"
  rm -rf "$rootfs"
  log "made base image $BASE_IMAGE ($(human "$(podman image inspect -f '{{.Size}}' "$BASE_IMAGE")"))"
}

human() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }

# ---------------------------------------------------------------------------------------
# helpers for talking to a running container
# ---------------------------------------------------------------------------------------
base_url=""

# podman's own stderr is kept for failures only: without systemd it logs an "error" for every
# healthcheck timer it cannot create, which is harmless here (wait_healthy runs the check).
#
# start NAME [podman run options...]: runs the image detached with port 8080 published on a
# free 127.0.0.1 port chosen by podman, and sets base_url.
start() {
  local name="$1"; shift
  current_ctr="$name"
  podman run -d --name "$name" -p 127.0.0.1::8080 -e RELGRAPH_API_KEYS="ingester:$api_key" \
    "$@" "$image" >/dev/null 2>"$tmp/podman.err" \
    || { cat "$tmp/podman.err" >&2; fail "podman run $name failed"; }
  local hostport
  hostport="$(podman port "$name" 8080/tcp 2>/dev/null | sed -n 1p)" || true
  if [ "$(podman inspect -f '{{.State.Running}}' "$name")" != true ]; then
    fail "$name exited at start with code $(podman inspect -f '{{.State.ExitCode}}' "$name")"
  fi
  [[ "$hostport" == 127.0.0.1:* ]] || fail "port published on '$hostport', not on 127.0.0.1"
  base_url="http://$hostport"
  log "started $name on $base_url"
}

# wait_healthy NAME: the image's own HEALTHCHECK (podman healthcheck run; there is no systemd
# here to run it on a timer), then /healthz through the published port.
wait_healthy() {
  local name="$1" i
  for ((i = 0; i < 120; i++)); do
    [ "$(podman inspect -f '{{.State.Running}}' "$name")" = true ] \
      || fail "$name exited before becoming healthy (exit code $(podman inspect -f '{{.State.ExitCode}}' "$name"))"
    if podman healthcheck run "$name" >/dev/null 2>&1; then
      local body
      body="$(curl -fsS --max-time 5 "$base_url/healthz")" || fail "$base_url/healthz failed from the host"
      [[ "$body" == *'"status":"ok"'* ]] || fail "/healthz answered: $body"
      log "$name healthy after ~$((i / 2))s"
      return 0
    fi
    sleep 0.5
  done
  fail "$name not healthy after 60s"
}

# get PATH_AND_QUERY: the body of a 200 answer.
get() {
  curl -fsS --max-time 10 -H "Authorization: Bearer $api_key" "$base_url$1" || fail "GET $1 failed"
}

articles_count() {
  local body
  body="$(get /v1/stats)"
  [[ "$body" =~ \"articles\":([0-9]+) ]] || fail "/v1/stats has no articles count: ${body:0:300}"
  echo "${BASH_REMATCH[1]}"
}

# check_path: Xi Jinping reaches Iran; prints the answer without its graph_version.
check_path() {
  local body
  body="$(get '/v1/paths?from=Xi%20Jinping&to=Iran')"
  [[ "$body" == *'"paths":[{'* ]] || fail "no path from Xi Jinping to Iran: ${body:0:300}"
  [[ "${body#*\"paths\":}" == *'"key":"iran"'* ]] || fail "the path does not reach Iran: ${body:0:300}"
  # The answer itself, without the bookkeeping that may differ after a restart (the
  # snapshot's version, and the work counted against the budget).
  sed -E 's/"(graph_version|edges_visited)":[0-9]+,?//g' <<<"$body"
}

check_neighbourhood() {
  local body
  body="$(get '/v1/neighborhood?entity=Russia&depth=1&types=drills-with')"
  [[ "${body#*\"nodes\":}" == *'"key":"iran"'* ]] \
    || fail "Iran is not in Russia's drills-with neighbourhood: ${body:0:300}"
}

# stop_cleanly NAME: SIGTERM via podman stop; must end well before the timeout with exit 0
# and relgraph's own "stopped" line in the log.
stop_cleanly() {
  local name="$1" t0 t1 ms code
  t0=$(date +%s%N)
  podman stop -t "$STOP_TIMEOUT" "$name" >/dev/null 2>"$tmp/podman.err" \
    || { cat "$tmp/podman.err" >&2; fail "podman stop $name failed"; }
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
  code="$(podman inspect -f '{{.State.ExitCode}}' "$name")"
  [ "$code" = 0 ] || fail "$name exited with code $code after SIGTERM (want 0)"
  [ "$ms" -lt $((STOP_LIMIT_SECONDS * 1000)) ] \
    || fail "$name took ${ms} ms to stop (limit ${STOP_LIMIT_SECONDS}s of a ${STOP_TIMEOUT}s timeout): SIGTERM not handled?"
  local logs
  logs="$(podman logs "$name" 2>&1)"
  [[ "$logs" == *'SIGTERM received'* ]] || fail "$name's log has no 'SIGTERM received'"
  [[ "$logs" == *'relgraph: stopped'* ]] || fail "$name's log has no 'relgraph: stopped'"
  log "$name stopped by SIGTERM in ${ms} ms, exit code 0"
}

# JSON string literal of a UTF-8 text with no control characters other than \n \r \t.
json_string() {
  local s="$1"
  s="${s//\\/\\\\}"; s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"; s="${s//$'\r'/\\r}"; s="${s//$'\t'/\\t}"
  printf '"%s"' "$s"
}

# ---------------------------------------------------------------------------------------
# 2. build
# ---------------------------------------------------------------------------------------
setup_podman

seed=fixtures/articles/seed-article.txt
[ -f "$seed" ] || fail "$seed is missing"
if [ "$(tr -d '\n\r\t' < "$seed" | LC_ALL=C tr -dc '[:cntrl:]' | wc -c)" -ne 0 ]; then
  fail "$seed has control characters this script does not escape"
fi
fixture_count=$(find fixtures/articles -maxdepth 1 -name '*.txt' | wc -l)

podman images -a -q --no-trunc > "$tmp/images.before"
podman ps -a --external -q --no-trunc > "$tmp/containers.before"
log "building $image from docker/Dockerfile (log: build output on failure)"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
source_url="$(git remote get-url origin 2>/dev/null || true)"
b0=$(date +%s)
# In the background so that a TERM or INT reaches the trap at once, not after the build.
podman build --pull=never --format docker -f docker/Dockerfile -t "$image" \
  --build-arg REVISION="$revision" --build-arg SOURCE="$source_url" . > "$tmp/build.log" 2>&1 &
build_pid=$!
if ! wait "$build_pid"; then
  build_pid=""
  tail -n 60 "$tmp/build.log" >&2
  fail "podman build failed (last 60 lines above)"
fi
build_pid=""
build_seconds=$(($(date +%s) - b0))
size_bytes="$(podman image inspect -f '{{.Size}}' "$image")"
log "image built in ${build_seconds}s; size $(human "$size_bytes") ($size_bytes bytes)"
[ "$size_bytes" -lt "$SIZE_LIMIT_BYTES" ] \
  || fail "image is $(human "$size_bytes"), over the $(human "$SIZE_LIMIT_BYTES") limit"

user="$(podman image inspect -f '{{.Config.User}}' "$image")"
[ -n "$user" ] && [ "${user%%:*}" != 0 ] && [ "${user%%:*}" != root ] \
  || fail "image runs as '${user:-root}', want a non-root user"
[[ "$(podman image inspect -f '{{json .Config.Healthcheck}}' "$image")" == *relgraph-healthcheck* ]] \
  || fail "image has no HEALTHCHECK (built without --format docker?)"
labels="$(podman image inspect -f '{{json .Labels}}' "$image")"
for label in version source licenses; do
  [[ "$labels" == *"\"org.opencontainers.image.$label\""* ]] \
    || fail "label org.opencontainers.image.$label missing: $labels"
done
[[ "$labels" == *'"org.opencontainers.image.version":"'[0-9]* ]] \
  || fail "label org.opencontainers.image.version is empty: $labels"
entrypoint="$(podman image inspect -f '{{json .Config.Entrypoint}}' "$image")"
[ "$entrypoint" = '["/usr/local/bin/relgraph"]' ] \
  || fail "entrypoint is $entrypoint, want exec form [\"/usr/local/bin/relgraph\"] (PID 1)"

# ---------------------------------------------------------------------------------------
# 3. the bundled fixtures, by environment variable, in a throwaway container
# ---------------------------------------------------------------------------------------
start "$ctr_fixtures" -e RELGRAPH_FIXTURES=/usr/share/relgraph/fixtures
wait_healthy "$ctr_fixtures"
n="$(articles_count)"
[ "$n" = "$fixture_count" ] || fail "RELGRAPH_FIXTURES loaded $n articles, want $fixture_count"
[ "$(podman top "$ctr_fixtures" pid args | awk 'NR == 2 {print $1}')" = 1 ] \
  || fail "relgraph is not PID 1 in the container"
log "RELGRAPH_FIXTURES loaded all $n fixture articles; relgraph is PID 1, user $user"
stop_cleanly "$ctr_fixtures"
podman rm -v "$ctr_fixtures" >/dev/null 2>&1 || fail "podman rm $ctr_fixtures failed"

# ---------------------------------------------------------------------------------------
# 4. a deployment on a named volume, restarted
# ---------------------------------------------------------------------------------------
podman volume create "$volume" >/dev/null || fail "podman volume create failed"
start "$ctr_first" -v "$volume:/data"
wait_healthy "$ctr_first"

status="$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -X POST \
  -H 'Content-Type: application/json' --data-binary '{"text":"x"}' "$base_url/v1/articles")" \
  || fail "POST /v1/articles without a key failed"
[ "$status" = 401 ] || fail "POST /v1/articles without an API key answered $status, want 401"

printf '{"title":"seed-article","published_at":"2024-03-18","text":%s}' \
  "$(json_string "$(cat "$seed")")" > "$tmp/seed.json"
status="$(curl -sS --max-time 30 -o "$tmp/post.json" -w '%{http_code}' -X POST \
  -H 'Content-Type: application/json' -H "Authorization: Bearer $api_key" --data-binary "@$tmp/seed.json" "$base_url/v1/articles")" \
  || fail "POST /v1/articles failed"
[ "$status" = 201 ] || fail "POST /v1/articles answered $status: $(head -c 300 "$tmp/post.json")"
grep -q '"duplicate":false' "$tmp/post.json" || fail "the seed article was not stored as new"
grep -q '"relations":\[{' "$tmp/post.json" || fail "no relations extracted from the seed article"
log "POST seed article: 201"

path_before="$(check_path)"
check_neighbourhood
articles_before="$(articles_count)"
[ "$articles_before" = 1 ] || fail "stats count $articles_before articles, want 1"
log "path Xi Jinping -> Iran found; Iran in Russia's drills-with neighbourhood; 1 article"
podman exec "$ctr_first" relgraph backup --db relgraph.db /data/relgraph-backup.db \
  > "$tmp/backup.out" 2>&1 || { cat "$tmp/backup.out" >&2; fail "relgraph backup in the container failed"; }
log "without a key: 401; relgraph backup inside the running container: ok"

stop_cleanly "$ctr_first"
podman rm "$ctr_first" >/dev/null 2>&1 || fail "podman rm $ctr_first failed"

start "$ctr_second" -v "$volume:/data"
wait_healthy "$ctr_second"
articles_after="$(articles_count)"
[ "$articles_after" = "$articles_before" ] \
  || fail "after restart: $articles_after articles, before: $articles_before (data lost?)"
path_after="$(check_path)"
[ "$path_after" = "$path_before" ] || fail "after restart the path answer differs:
before: ${path_before:0:400}
after:  ${path_after:0:400}"
check_neighbourhood
log "after restart on the same volume: $articles_after article, same path answer"
stop_cleanly "$ctr_second"
current_ctr=""

echo
echo "smoke-test: PASS"
echo "  image size:   $(human "$size_bytes") ($size_bytes bytes; limit $(human "$SIZE_LIMIT_BYTES"))"
echo "  build time:   ${build_seconds}s"
echo "  total time:   $(($(date +%s) - t_start))s"
