#!/usr/bin/python3
"""Freshness over HTTP: posts articles one at a time, each stating a relation that did not
exist, and after each POST's answer polls GET /v1/paths (max_hops=1, the relation's type)
until the graph shows the new relation. Reports POST latency and freshness (answer -> seen).

    freshness.py --port P --articles fresh.ndjson --out FILE
"""
import argparse
import http.client
import json
import sys
import time
import urllib.parse


def pct(v, q):
    s = sorted(v)
    if not s:
        return None
    import math
    return s[max(1, math.ceil(q * len(s))) - 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--articles", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
    post_ms, fresh_ms, polls, failures = [], [], [], 0
    for line in open(args.articles):
        art = json.loads(line)
        expect = art.pop("expect")
        body = json.dumps(art)
        t0 = time.perf_counter()
        conn.request("POST", "/v1/articles", body=body, headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        payload = r.read()
        t_answer = time.perf_counter()
        if r.status not in (200, 201):
            print(f"freshness: POST answered {r.status}: {payload[:200]!r}", file=sys.stderr)
            failures += 1
            continue
        post_ms.append((t_answer - t0) * 1e3)
        q = urllib.parse.urlencode({"from": expect["subject"], "to": expect["object"],
                                    "types": expect["type"], "max_hops": 1})
        n = 0
        while True:
            n += 1
            conn.request("GET", "/v1/paths?" + q)
            r = conn.getresponse()
            data = r.read()
            if r.status == 200 and json.loads(data)["paths"]:
                fresh_ms.append((time.perf_counter() - t_answer) * 1e3)
                polls.append(n)
                break
            if time.perf_counter() - t_answer > args.timeout:
                failures += 1
                print(f"freshness: relation {expect} not seen after {args.timeout}s", file=sys.stderr)
                break
    out = {"posts": len(post_ms), "failures": failures,
           "post_ms": {"p50": pct(post_ms, .5), "p99": pct(post_ms, .99), "max": max(post_ms, default=None)},
           "freshness_ms": {"p50": pct(fresh_ms, .5), "p99": pct(fresh_ms, .99), "max": max(fresh_ms, default=None)},
           "polls_max": max(polls, default=None)}
    print("freshness: " + json.dumps(out), file=sys.stderr)
    with open(args.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
