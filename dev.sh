#!/usr/bin/env bash
# relgraph's two entry points for a fresh Debian 12 machine:
#   ./dev.sh serve [relgraph serve options]  install what is missing, build, and serve on
#                                            http://127.0.0.1:8080 with the fixtures loaded
#   ./dev.sh test                            install what is missing, build, run every test
set -euo pipefail
cd "$(dirname "$0")"

build() {
  bash scripts/install-deps.sh
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j2
}

case "${1:-}" in
  serve)
    shift
    build
    # Transparent huge pages for the graph's arrays (README, Performance).
    GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1} \
      exec ./build/relgraph serve --db "${RELGRAPH_DB:-relgraph.db}" --fixtures fixtures "$@"
    ;;
  test)
    build
    ctest --test-dir build --output-on-failure --no-tests=error -j2
    ;;
  *)
    echo "usage: ./dev.sh serve [options] | ./dev.sh test" >&2
    exit 2
    ;;
esac
