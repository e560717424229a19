#!/usr/bin/env bash
# Installs the Debian 12 packages relgraph needs to build and test, if any are missing.
# Uses sudo when not run as root. Used by dev.sh and by the Docker build stage.
#   --build-only  leave out the tools only the tests use (the Docker build stage)
set -euo pipefail

packages=(
  g++ cmake make pkg-config              # toolchain
  libboost-graph-dev                     # the in-memory graph (header-only use)
  libcpp-httplib-dev                     # HTTP server
  nlohmann-json3-dev                     # JSON
  libsqlitecpp-dev libsqlite3-dev        # SQLite through SQLiteCpp
  libcli11-dev                           # command-line parsing
  libssl-dev                             # SHA-256 of article texts
  doctest-dev                            # unit tests
)
# Real clients the export tests load our exports with (tests/http/exports_test.cpp): a
# format is right when networkx and Graphviz read it, not when it matches a string.
test_packages=(
  python3-networkx                       # reads GraphML and GEXF (Debian's python3)
  graphviz                               # dot renders DOT
)
[ "${1:-}" = "--build-only" ] || packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo: need ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
