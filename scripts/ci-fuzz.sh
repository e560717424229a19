#!/usr/bin/env bash
# CI: build relgraph's libFuzzer targets with clang-14 (ASan + UBSan) and run each for a short
# while from a seed corpus generated from fixtures/. Fails when a target crashes, leaks or
# breaks an invariant; the crashing input is kept in build-fuzz/findings/ (and printed as
# hex) so that it can be minimised and added to tests/reliability/fuzz-regressions/.
#   scripts/ci-fuzz.sh [SECONDS_PER_TARGET]   (default 30; RELGRAPH_FUZZ_SECONDS too)
# The long run is described in fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${RELGRAPH_FUZZ_SECONDS:-30}}
build=${RELGRAPH_FUZZ_BUILD:-build-fuzz}

bash scripts/install-deps.sh
# clang-14 and its runtime (libFuzzer, sanitizers) come from Debian packages.
need=()
command -v clang++-14 >/dev/null || need+=(clang-14)
compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null \
  || need+=(libclang-rt-14-dev)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "ci-fuzz: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DRELGRAPH_FUZZ=ON -DRELGRAPH_SANITIZE=address -DRELGRAPH_BENCH=OFF >/dev/null
cmake --build "$build" -j2 --target fuzz_extract fuzz_article_json fuzz_params fuzz_seed_corpus

seeds="$build/fuzz/seeds"
rm -rf "$seeds"
"$build/fuzz/fuzz_seed_corpus" fixtures "$seeds"
mkdir -p "$build/findings"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for target in extract article_json params; do
  corpus="$build/fuzz/corpus/$target"  # grows across runs in the same build directory
  mkdir -p "$corpus"
  dict=()
  [ -e "fuzz/$target.dict" ] && dict=(-dict="fuzz/$target.dict")
  echo "ci-fuzz: fuzz_$target for ${seconds}s"
  if ! "$build/fuzz/fuzz_$target" "$corpus" "$seeds/$target" "${dict[@]}" \
      -max_total_time="$seconds" -timeout=25 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$build/findings/$target-" >"$build/findings/$target.log" 2>&1; then
    failed+=("$target")
    tail -60 "$build/findings/$target.log"
    for f in "$build/findings/$target"-*; do
      [ -f "$f" ] && { echo "ci-fuzz: finding $f:"; od -A d -t x1z "$f" | head -20; }
    done
  else
    grep -E "stat::number_of_executed_units|cov:" "$build/findings/$target.log" | tail -2
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "ci-fuzz: FAILED: ${failed[*]} (inputs in $build/findings/)" >&2
  exit 1
fi
echo "ci-fuzz: all targets ran ${seconds}s without a finding"
