#!/usr/bin/env python3
"""Scaling curves: the suite's figures side by side at every size that has results.

Reads bench/results/SIZE.json (written by bench/run.sh SIZE through compare.py) for 10k, 100k,
1m and 10m relations, whichever exist, and writes bench/results/scaling.md. Each size's figures
come from its own run (the table names the commit and date of each), so a column is only as
recent as that run.

usage: bench/scaling.py [RESULTS_DIR]
"""

import json
import os
import sys

SIZES = ["10k", "100k", "1m", "10m"]
QUERIES = [
    ("q1", "1-hop distinct neighbours"),
    ("q1p", "first page of 100 relations"),
    ("q2", "2-hop neighbourhood, 500 nodes max"),
    ("q3", "shortest path"),
    ("q4", "shortest path, 3 of 14 types"),
    ("q5", "no path"),
]
PEERS = ["networkx", "igraph", "sqlite"]


# The figures are written as the per-size tables write them.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import fmt_us as fmt  # noqa: E402


def http_run(result, prefix, connections):
    for run in result.get("http", {}).get("runs", []):
        if run.get("name", "").startswith(prefix) and run.get("connections") == connections:
            return run
    return None


def main():
    results_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "results")
    runs = {}
    for size in SIZES:
        path = os.path.join(results_dir, f"{size}.json")
        if os.path.exists(path):
            with open(path) as f:
                runs[size] = json.load(f)
    if not runs:
        sys.exit(f"scaling.py: no results in {results_dir}: run bench/run.sh SIZE first")
    sizes = [s for s in SIZES if s in runs]
    out = []
    w = out.append

    def header(first):  # a table with a column per size
        w("| " + " | ".join([first, *sizes]) + " |")
        w("|---|" + "---|" * len(sizes))
    w("# relgraph: scaling from 10k to 10M relations")
    w("")
    w("Written by `bench/scaling.py` from `bench/results/SIZE.json`; each column comes from that "
      "size's own run of `bench/run.sh SIZE`:")
    w("")
    w("| size | relations | entities | run | relgraph | load average at start |")
    w("|---|---|---|---|---|---|")
    for size in sizes:
        r = runs[size]
        m = r.get("machine", {})
        meta = r.get("meta", {})
        w(f"| {size} | {meta.get('relations', 0):,} | {meta.get('entities', 0):,} | "
          f"{m.get('date', '?')} UTC | {m.get('commit', '?')} | {m.get('load_start', '?')} |")
    w("")
    w("The peers' figures may come from another run on the same generated data "
      "(`BENCH_REUSE_PEERS=1`, or a peer run apart); each size's own file says when. Wall-clock figures are from a "
      "shared 2-core machine: see each run's load average.")
    w("")
    w("Query cost should follow what a query touches, not the size of the graph: 1-hop and "
      "no-path answers stay flat, a 2-hop neighbourhood capped at 500 nodes grows with the "
      "hubs among its nodes (their relations are the answer), and paths grow with the "
      "frontiers a bidirectional search meets, much less than the graph.")
    w("")
    w("## relgraph in-process latency (µs, p50 / p99)")
    w("")
    header("query")
    for key, name in QUERIES:
        cells = []
        for size in sizes:
            lat = runs[size].get("latency", {}).get(key, {}).get("relgraph")
            cells.append(f"{fmt(lat['p50'])} / {fmt(lat['p99'])}" if lat else "—")
        w(f"| {name} | " + " | ".join(cells) + " |")
    w("")
    w("## Shortest path (Q3) against the peers, p50 µs (peer / relgraph)")
    w("")
    header("tool")
    for peer in ["relgraph"] + PEERS:
        cells = []
        for size in sizes:
            lat = runs[size].get("latency", {}).get("q3", {})
            mine = lat.get("relgraph")
            theirs = lat.get(peer)
            if theirs is None:
                cells.append("—")
            elif peer == "relgraph" or mine is None or not mine["p50"]:
                cells.append(fmt(theirs["p50"]))
            else:
                bound = "≥ " if theirs.get("lower_bound") else ""
                cells.append(f"{bound}{fmt(theirs['p50'])} ({bound}{theirs['p50'] / mine['p50']:,.0f}×)")
        w(f"| {peer} | " + " | ".join(cells) + " |")
    w("")
    w("## Start, memory, HTTP and ingest")
    w("")
    header("")

    def row(name, value_of):
        cells = []
        for size in sizes:
            try:
                value = value_of(runs[size])
            except (KeyError, TypeError, IndexError):
                value = None
            cells.append(value if isinstance(value, str) else fmt(value))
        w(f"| {name} | " + " | ".join(cells) + " |")

    row("cold start from SQLite, s", lambda r: f'{r["load"]["relgraph"]["seconds"]:.3f}')
    row("cold start, M edges/s", lambda r: r["load"]["relgraph"]["edges_per_s"] / 1e6)
    row("memory per relation, B (RSS delta)", lambda r: r["load"]["relgraph"]["bytes_per_edge"])
    row("HTTP relation list @16, req/s",
        lambda r: http_run(r, "1-hop relations", 16)["requests"] /
        (http_run(r, "1-hop relations", 16)["duration_us"] / 1e6))
    row("HTTP relation list @16, p99 ms",
        lambda r: http_run(r, "1-hop relations", 16)["p99_us"] / 1000)
    row("HTTP shortest path @16, req/s",
        lambda r: http_run(r, "shortest path", 16)["requests"] /
        (http_run(r, "shortest path", 16)["duration_us"] / 1e6))
    row("bulk ingest into that database, articles/s",
        lambda r: r["ingest"]["runs"][-1]["articles"] / r["ingest"]["runs"][-1]["seconds"])
    row("freshness p99, ms", lambda r: r["freshness"]["freshness_ms"]["p99"])
    w("")
    path = os.path.join(results_dir, "scaling.md")
    with open(path, "w") as f:
        f.write("\n".join(out))
    print(f"scaling.py: wrote {path}")


if __name__ == "__main__":
    main()
