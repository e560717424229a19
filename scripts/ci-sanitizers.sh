#!/usr/bin/env bash
# CI: the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan),
# then the concurrency and HTTP tests under ThreadSanitizer (build-tsan). Exits non-zero when
# a build or test fails or a sanitizer reports anything.
#   scripts/ci-sanitizers.sh [asan|tsan]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
bash scripts/install-deps.sh
start=$(date +%s)
status=0

if [ "$what" = all ] || [ "$what" = asan ]; then
  echo "ci-sanitizers: ASan + UBSan build (build-asan)"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRELGRAPH_SANITIZE=address -DRELGRAPH_BENCH=OFF >/dev/null
  cmake --build build-asan -j2
  # -fno-sanitize-recover=all: the first UBSan report aborts the test like an ASan one.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure --no-tests=error -j2 --timeout 900 || status=1
  echo "ci-sanitizers: ASan stage done after $(( $(date +%s) - start ))s"
fi

if [ "$what" = all ] || [ "$what" = tsan ]; then
  echo "ci-sanitizers: TSan build (build-tsan): concurrency and HTTP tests"
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRELGRAPH_SANITIZE=thread -DRELGRAPH_BENCH=OFF >/dev/null
  cmake --build build-tsan -j2 --target reliability_test http_test
  # Reports in libcpp-httplib.so itself (built without TSan, so its locks are invisible) are
  # suppressed; see tests/reliability/tsan.supp. Exit code 66 when TSan reported anything.
  export TSAN_OPTIONS="suppressions=$PWD/tests/reliability/tsan.supp:halt_on_error=0:exitcode=66:second_deadlock_stack=1:history_size=4"
  # Newer kernels randomise mmap more than GCC 12's TSan allows; run without ASLR then.
  run=()
  if [ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28)" -gt 28 ] && command -v setarch >/dev/null; then
    run=(setarch "$(uname -m)" -R)
  fi
  "${run[@]}" build-tsan/tests/reliability/reliability_test -tc="*writer ingests*" || status=1
  "${run[@]}" build-tsan/tests/http/http_test || status=1
  echo "ci-sanitizers: TSan stage done after $(( $(date +%s) - start ))s"
fi

[ $status -eq 0 ] && echo "ci-sanitizers: passed in $(( $(date +%s) - start ))s" \
                  || echo "ci-sanitizers: FAILED after $(( $(date +%s) - start ))s" >&2
exit $status
