#!/bin/bash
# The image's health check: exits 0 when relgraph answers GET /healthz with 200, which it does
# once the graph is loaded. The runtime image has no curl; bash's /dev/tcp is enough for one
# request. Follows RELGRAPH_PORT; /healthz needs no API key.
set -eu
exec 3<>"/dev/tcp/127.0.0.1/${RELGRAPH_PORT:-8080}"
printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 4 status <&3
[[ "$status" == "HTTP/1."[01]" 200 "* ]]
