#!/usr/bin/python3
"""networkx_peer: the benchmark's questions answered by networkx (Debian's python3-networkx)
on the same edge list, as an undirected graph.

    /usr/bin/python3 bench/peers/networkx_peer.py --edges DIR/edges.tsv \
        --queries DIR/queries.json --out FILE

q1 set(G[v]); q2full len(single_source_shortest_path_length(G, v, cutoff=2));
q3/q5 shortest_path_length (networkx's bidirectional BFS), a path longer than max_hops counts
as none; q4 the same on a graph of the Q4 types' edges, built once before timing. One untimed
warm-up pass, then --repeat (3) timed passes; a query's latency is its best pass (microseconds).
"""
import argparse
import json
import resource
import sys
import time

import networkx as nx


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edges", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with open(args.queries) as f:
        q = json.load(f)
    max_hops = q.get("max_hops", 6)
    q4_types = set(q["q4_type_ids"])

    rss0 = rss_kib()
    t0 = time.perf_counter()
    g = nx.Graph()
    typed_edges = []
    with open(args.edges) as f:
        edges = []
        for line in f:
            _, s, o, t = line.split("\t")
            s = int(s)
            o = int(o)
            edges.append((s, o))
            if int(t) in q4_types:
                typed_edges.append((s, o))
    g.add_edges_from(edges)
    del edges
    load_s = time.perf_counter() - t0
    rss1 = rss_kib()
    n_edges = sum(1 for _ in open(args.edges))
    t1 = time.perf_counter()
    typed = nx.Graph()
    typed.add_edges_from(typed_edges)
    typed_s = time.perf_counter() - t1
    del typed_edges
    print(f"networkx_peer: {n_edges} edges loaded in {load_s:.2f}s, "
          f"{(rss1 - rss0) * 1024 / n_edges:.0f} B/edge (typed subgraph {typed_s:.2f}s)",
          file=sys.stderr)

    def q1(v):
        return sorted(g[v]) if v in g else []

    def q2(v):
        return len(nx.single_source_shortest_path_length(g, v, cutoff=2)) if v in g else 1

    def path(graph):
        def run(pair):
            a, b = pair
            if a not in graph or b not in graph:
                return 0 if a == b else -1
            try:
                n = nx.shortest_path_length(graph, a, b)
            except nx.NetworkXNoPath:
                return -1
            return n if n <= max_hops else -1
        return run

    kinds = {}
    for name, items, fn in [("q1", q["q1"], q1), ("q2full", q["q2"], q2),
                            ("q3", q["q3"], path(g)), ("q4", q["q4"], path(typed)),
                            ("q5", q["q5"], path(g))]:
        for item in items:
            fn(item)
        lat, answers = [float("inf")] * len(items), []
        for rep in range(max(1, args.repeat)):
            for i, item in enumerate(items):
                t = time.perf_counter()
                a = fn(item)
                lat[i] = min(lat[i], (time.perf_counter() - t) * 1e6)
                if rep == 0:
                    answers.append(a)
        s = sorted(lat)
        print(f"networkx_peer: {name:6s} p50 {s[len(s) // 2]:11.1f} us  p99 {s[int(len(s) * 0.99) - 1]:12.1f} us",
              file=sys.stderr)
        kinds[name] = {"latency_us": lat, "answers": answers}
    kinds["q4"]["setup_seconds"] = typed_s
    out = {"tool": "networkx", "version": nx.__version__,
           "load": {"seconds": load_s, "edges": n_edges, "edges_per_s": n_edges / load_s,
                    "bytes_per_edge": (rss1 - rss0) * 1024 / n_edges, "source": "edges.tsv",
                    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024},
           "kinds": kinds}
    with open(args.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
