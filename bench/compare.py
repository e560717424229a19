#!/usr/bin/python3
"""compare.py: joins what bench/run.sh measured into bench/results/SIZE.md and SIZE.json.

Reads DIR/{meta,machine,relgraph,igraph,networkx,sqlite,http,ingest,freshness}.json (missing
ones are left out), checks that the peers give relgraph's answers (same 1-hop neighbour sets,
same 2-hop neighbourhood sizes, same path lengths), computes latency percentiles and peer /
relgraph ratios, and checks the targets of the benchmark issue.

    compare.py --dir bench/data/1m --size 1m --md bench/results/1m.md --json bench/results/1m.json
"""
import argparse
import json
import math
import os

KINDS = [
    ("q1", "Q1 1-hop distinct neighbours (Snapshot::neighbours_of)"),
    ("q1r", "Q1r 1-hop distinct neighbours via relations_of and each relation's row"),
    ("q1p", "Q1p first page of 100 relations (Snapshot::relations_page)"),
    ("q1ps", "Q1ps the same page cut from relations_of (sorts all)"),
    ("q1n", "Q1n neighbourhood depth 1, 100 nodes max"),
    ("q2", "Q2 2-hop neighbourhood, 500 nodes max"),
    ("q2full", "Q2full 2-hop neighbourhood, unbounded (size)"),
    ("q3", "Q3 shortest path (<= 6 hops)"),
    ("q4", "Q4 shortest path, 3 of 14 types"),
    ("q5", "Q5 no path (island)"),
]
PEERS = [("igraph", "igraph"), ("networkx", "networkx"), ("sqlite", "SQLite CTE")]
COMPARED = ["q1", "q2full", "q3", "q4", "q5"]


def load(d, name):
    p = os.path.join(d, name + ".json")
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def pct(v, q):
    s = sorted(v)
    if not s:
        return None
    return s[max(1, math.ceil(q * len(s))) - 1]


def fmt_us(x):
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_ratio(x):
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:,.0f}×"
    if x >= 10:
        return f"{x:.0f}×"
    if x >= 1:
        return f"{x:.1f}×"
    return f"{x:.2g}×"


def stats(kind):
    lat = kind["latency_us"]
    # A timed-out query's latency is its timeout: with any, the percentiles are lower bounds.
    return {"p50": pct(lat, .5), "p99": pct(lat, .99), "max": max(lat) if lat else None, "n": len(lat),
            "lower_bound": bool(kind.get("timeouts"))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--size", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--json", required=True)
    args = ap.parse_args()
    d = args.dir
    meta, machine = load(d, "meta"), load(d, "machine")
    rg = load(d, "relgraph")
    peers = {k: load(d, k) for k, _ in PEERS}
    http, ingest, fresh = load(d, "http"), load(d, "ingest"), load(d, "freshness")

    out = {"size": args.size, "meta": meta, "machine": machine, "latency": {}, "answers": {},
           "load": {}, "http": http, "ingest": ingest, "freshness": fresh, "targets": []}
    md = []
    w = md.append
    w(f"# relgraph benchmark: {args.size} relations")
    w("")
    if machine:
        w(f"Run {machine.get('date')} on {machine.get('cpu')} ({machine.get('nproc')} cores), "
          f"{machine.get('mem_gib')} GiB RAM, {machine.get('os')}; relgraph {machine.get('commit')}. "
          f"Load average at start {machine.get('load_start')}, at end {machine.get('load_end')}."
          + (f" relgraph ran with `{machine['relgraph_env']}`." if machine.get("relgraph_env") else ""))
        w("")
        w("**Noise.** The machine is shared with other jobs (compilers of other agents), so wall-clock "
          "figures are noisy: in-process latencies are each query's best of 3 timed passes after a "
          "warm-up pass (same rule for relgraph, igraph and networkx; the SQLite CTE runs once), and "
          "HTTP/ingest figures are single runs on a loaded 2-core machine, with server and load "
          "generator on the same cores.")
        w("")
    reused = os.path.join(d, "reused_peers.txt")
    if os.path.exists(reused):
        # A line: "peer YYYY-MM-DD HH:MM UTC", optionally followed by " | how it was run", for a
        # peer run apart from this run (bench/run.sh writes the line when it reuses one).
        runs = []
        for line in open(reused).read().splitlines():
            if not line.strip():
                continue
            head, _, how = line.partition(" | ")
            name, when = head.split(" ", 1)
            runs.append(f"{name}'s figures are from the run of {when}" + (f" ({how})" if how else ""))
        w("**Peers from another run.** " + "; ".join(runs) + "; on the same generated data and "
          "machine. relgraph's are from this run.")
        w("")
    if meta:
        w(f"Data: {meta['entities']:,} entities, {meta['relations']:,} relations, {meta['evidence']:,} "
          f"evidence rows, {meta['articles']:,} articles (gen_graph seed {meta['seed']}, Zipf {meta['zipf_exponent']}, "
          f"largest degree {meta['max_degree']:,}; database {meta['db_bytes'] / 2**20:,.0f} MiB, written in "
          f"{meta['db_seconds']:.1f} s). 200 queries of each kind; the graph is taken as undirected, all types "
          "unless said.")
        w("")

    # ---- cold start ----
    w("## Cold start (store -> published snapshot)")
    w("")
    w("relgraph's database file is read once just before (bench/run.sh), so that it is in the "
      "page cache: the figures are relgraph's work, not the disk's. query_bench starts from the "
      "store three times (each service dropped before the next) and reports the median start, "
      "with every start listed: on this shared machine one start is one draw of its neighbours' "
      "load. The CPU time is the median of theirs.")
    w("")
    w("| tool | source | load time | edges/s | memory per edge | peak RSS |")
    w("|---|---|---|---|---|---|")
    if rg:
        L = rg["load"]
        out["load"]["relgraph"] = L
        cpu = f", CPU {L['cpu_seconds']:.2f} s" if "cpu_seconds" in L else ""
        starts = L.get("starts_seconds") or []
        each = (f"median of {len(starts)} starts: " + ", ".join(f"{x:.2f}" for x in starts) + " s; "
                if len(starts) > 1 else "")
        w(f"| relgraph (Store::open + Service: load_graph + Snapshot::build) | SQLite file | {L['seconds']:.2f} s "
          f"({each}load_graph alone {L['scan_seconds']:.2f} s, build alone {L['build_seconds']:.2f} s{cpu}) | "
          f"{L['edges_per_s'] / 1e6:.2f} M | "
          f"{L['bytes_per_edge']:.0f} B (RSS delta) | {L['peak_rss_bytes'] / 2**20:,.0f} MiB |")
        I = rg.get("load_image")
        if I:
            out["load"]["relgraph_image"] = I
            w(f"| relgraph, restart with nothing written since (Service reads the snapshot image the "
              f"first start wrote) | snapshot image | {I['seconds']:.2f} s (CPU {I['cpu_seconds']:.2f} s) | "
              f"{I['edges_per_s'] / 1e6:.2f} M | {I['bytes_per_edge']:.0f} B (RSS delta) | "
              f"{I['peak_rss_bytes'] / 2**20:,.0f} MiB |")
    for key, label in PEERS[:2]:
        p = peers.get(key)
        if p and "load" in p:
            L = p["load"]
            out["load"][key] = L
            peak = f"{L['peak_rss_bytes'] / 2**20:,.0f} MiB" if "peak_rss_bytes" in L else "—"
            w(f"| {label} | {L.get('source')} | {L['seconds']:.2f} s | {L['edges_per_s'] / 1e6:.2f} M | "
              f"{L['bytes_per_edge']:.0f} B | {peak} |")
    w("")

    # ---- latency ----
    w("## In-process query latency (µs, p50 / p99 / max)")
    w("")
    cols = ["relgraph"] + [label for k, label in PEERS if peers.get(k)]
    w("| query | " + " | ".join(cols) + " |")
    w("|---|" + "---|" * len(cols))
    notes = []
    for kind, label in KINDS:
        cells = []
        row = {}
        for key in ["relgraph"] + [k for k, _ in PEERS if peers.get(k)]:
            src = rg if key == "relgraph" else peers[key]
            if not src or kind not in src["kinds"]:
                cells.append("—")
                continue
            k = src["kinds"][kind]
            s = stats(k)
            row[key] = s
            extra = ""
            if k.get("truncated"):
                extra += f" ({k['truncated']} truncated)"
            if k.get("timeouts"):
                extra += f" ({k['timeouts']} timed out at {k['timeout_seconds']:.0f} s)"
            if k.get("skipped"):
                extra += f" ({k['skipped']} of {len(k['answers'])} not run: over the {k['budget_seconds']:.0f} s budget)"
            cells.append(f"{fmt_us(s['p50'])} / {fmt_us(s['p99'])} / {fmt_us(s['max'])}{extra}")
        out["latency"][kind] = row
        w(f"| {label} | " + " | ".join(cells) + " |")
    w("")
    w("Ratios, peer / relgraph (p50, p99; > 1: relgraph faster; ≥: the peer timed out on some queries, so its "
      "figure is a lower bound). Q2 compares the peers' 2-hop "
      "size with relgraph's unbounded neighbourhood (which also collects the relations between the "
      "nodes, as the API returns them).")
    w("")
    w("| query | " + " | ".join(label for k, label in PEERS if peers.get(k)) + " |")
    w("|---|" + "---|" * sum(1 for k, _ in PEERS if peers.get(k)))
    out["ratios"] = {}
    for kind in COMPARED:
        label = dict(KINDS)[kind]
        base = out["latency"].get(kind, {}).get("relgraph")
        cells = []
        for key, _ in PEERS:
            if not peers.get(key):
                continue
            s = out["latency"].get(kind, {}).get(key)
            if not base or not s or not base["p50"] or not base["p99"]:
                cells.append("—")
                continue
            r50, r99 = s["p50"] / base["p50"], s["p99"] / base["p99"]
            bound = "≥ " if s.get("lower_bound") else ""
            out["ratios"].setdefault(kind, {})[key] = {"p50": r50, "p99": r99, "lower_bound": bool(bound)}
            cells.append(f"{bound}{fmt_ratio(r50)} / {bound}{fmt_ratio(r99)}")
        w(f"| {label} | " + " | ".join(cells) + " |")
    w("")

    # ---- answers ----
    w("## Same answers?")
    w("")
    w("Compared with relgraph on every query both answered (a null answer — timeout, budget, "
      "or a relgraph answer cut by its bounds — is not compared).")
    w("")
    w("| query | " + " | ".join(label for k, label in PEERS if peers.get(k)) + " |")
    w("|---|" + "---|" * sum(1 for k, _ in PEERS if peers.get(k)))
    all_ok = True
    for kind in COMPARED:
        if not rg or kind not in rg["kinds"]:
            continue
        mine = rg["kinds"][kind]["answers"]
        cells = []
        for key, _ in PEERS:
            p = peers.get(key)
            if not p:
                continue
            theirs = p["kinds"].get(kind, {}).get("answers")
            if theirs is None:
                cells.append("—")
                continue
            same = diff = 0
            examples = []
            for i, (a, b) in enumerate(zip(mine, theirs)):
                if a is None or b is None:
                    continue
                if a == b:
                    same += 1
                else:
                    diff += 1
                    if len(examples) < 3:
                        examples.append({"query": i, "relgraph": a if not isinstance(a, list) else len(a),
                                         key: b if not isinstance(b, list) else len(b)})
            out["answers"].setdefault(kind, {})[key] = {"same": same, "different": diff, "examples": examples}
            if diff:
                all_ok = False
            cells.append(f"{same} same" + (f", **{diff} differ** {examples}" if diff else ""))
        w(f"| {dict(KINDS)[kind]} | " + " | ".join(cells) + " |")
    w("")
    out["answers_all_same"] = all_ok

    # ---- HTTP ----
    if http:
        w("## HTTP (wrk, keep-alive, ~%d s per run; server `relgraph serve --threads %d --quiet`)" %
          (http.get("seconds", 5), http.get("threads", 64)))
        w("")
        w(f"Server start to /healthz: {http.get('startup_seconds', 0):.2f} s.")
        w("")
        w("| endpoint | connections | req/s | p50 ms | p99 ms | max ms | non-2xx / errors | server CPU µs/req | bytes/req |")
        w("|---|---|---|---|---|---|---|---|---|")
        for r in http["runs"]:
            errs = r["errors_status"] + r["errors_connect"] + r["errors_read"] + r["errors_write"] + r["errors_timeout"]
            rps = r["requests"] / (r["duration_us"] / 1e6)
            r["rps"] = rps
            cpu = r.get("server_cpu_seconds")
            r["server_cpu_us_per_request"] = cpu * 1e6 / r["requests"] if cpu is not None and r["requests"] else None
            cpu_s = f"{r['server_cpu_us_per_request']:,.0f}" if r["server_cpu_us_per_request"] is not None else "—"
            w(f"| {r['name']} | {r['connections']} | {rps:,.0f} | {r['p50_us'] / 1e3:.2f} | {r['p99_us'] / 1e3:.2f} | "
              f"{r['max_us'] / 1e3:.1f} | {errs} | {cpu_s} | {r['bytes'] / max(1, r['requests']):,.0f} |")
        w("")
        w("Server CPU µs/req is the server process's user + system time over the run divided by the "
          "requests served: it is not inflated by other jobs on the machine, and 2 cores / (CPU per "
          "request) bounds what the server could serve with both cores to itself (wrk needs some too).")
        w("")
        w("Endpoints: " + "; ".join(f"`{k}`: `{v}`" for k, v in http.get("examples", {}).items()))
        w("")
    if fresh:
        w("## HTTP ingest and freshness")
        w("")
        w(f"{fresh['posts']} articles posted one at a time (`POST /v1/articles`), each stating a new "
          f"relation; after each answer, `GET /v1/paths` polled until it shows it. Failures: {fresh['failures']}.")
        w("")
        w("| | p50 ms | p99 ms | max ms |")
        w("|---|---|---|---|")
        for k, label in [("post_ms", "POST /v1/articles latency"), ("freshness_ms", "answer → visible in /v1/paths")]:
            v = fresh[k]
            w(f"| {label} | {v['p50']:.2f} | {v['p99']:.2f} | {v['max']:.2f} |")
        w("")
    if ingest:
        w("## Bulk ingest (`relgraph ingest`, NDJSON, batch 500)")
        w("")
        w("| into | articles | relation mentions | ingest time | articles/s | relations/s | CPU s (user+sys) | whole command (incl. loading the graph) |")
        w("|---|---|---|---|---|---|---|---|")
        for r in ingest["runs"]:
            w(f"| {r['into']} | {r['articles']:,} | {r['mentions']:,} | {r['seconds']:.2f} s | {r['articles'] / r['seconds']:,.0f} | "
              f"{r['mentions'] / r['seconds']:,.0f} | {r.get('cpu_seconds', 0):.2f} | {r['wall_seconds']:.2f} s |")
        w("")

    # ---- targets ----
    T = out["targets"]

    # reference=True: shown against a target's limit for comparison, not a target itself ("met": null).
    def target(name, value, limit, better, unit, note="", reference=False):
        if value is None:
            return
        ok = value >= limit if better == "higher" else value <= limit
        T.append({"target": name, "value": value, "limit": limit, "met": None if reference else ok,
                  "unit": unit, "note": note, "better": better})

    if rg:
        L = rg["load"]
        target("cold start edges/s (from SQLite: first start, or after writes)", L["edges_per_s"], 4e6,
               "higher", "edges/s")
        if rg.get("load_image"):
            target("cold start edges/s (restart from the snapshot image)",
                   rg["load_image"]["edges_per_s"], 4e6, "higher", "edges/s")
        target("snapshot bytes/edge", L["bytes_per_edge"], 40, "lower", "B")
        lat = out["latency"]
        g = lambda k, q: lat.get(k, {}).get("relgraph", {}).get(q)
        target("shortest path p50", g("q3", "p50"), 10, "lower", "µs")
        target("shortest path p99", g("q3", "p99"), 1000, "lower", "µs")
        target("typed path p50", g("q4", "p50"), 25, "lower", "µs")
        target("no-path p99", g("q5", "p99"), 1000, "lower", "µs")
        target("1-hop p99", g("q1", "p99"), 10, "lower", "µs")
        target("2-hop capped 500 p99", g("q2", "p99"), 1000, "lower", "µs")
    if http:
        for r in http["runs"]:
            if r["connections"] == 16 and r["name"].startswith("1-hop neighbourhood"):
                # Not an issue target (the target is the relation list below); shown beside it.
                target("HTTP 1-hop neighbourhood req/s @16 (for comparison)", r["rps"], 20000, "higher", "req/s",
                       r["name"], reference=True)
                target("HTTP 1-hop neighbourhood p99 @16 (for comparison)", r["p99_us"] / 1e3, 2, "lower", "ms",
                       r["name"], reference=True)
            if r["connections"] == 16 and r["name"].startswith("1-hop relations"):
                target("HTTP 1-hop relations req/s @16", r["rps"], 20000, "higher", "req/s", r["name"])
                target("HTTP 1-hop relations p99 @16", r["p99_us"] / 1e3, 2, "lower", "ms", r["name"])
            if r["connections"] == 16 and r["name"].startswith("shortest path"):
                target("HTTP shortest path req/s @16", r["rps"], 10000, "higher", "req/s")
    if ingest:
        for r in ingest["runs"]:
            target(f"bulk ingest articles/s ({r['into']})", r["articles"] / r["seconds"], 1000, "higher", "articles/s")
    if fresh and fresh["freshness_ms"]["p99"] is not None:
        target("freshness p99", fresh["freshness_ms"]["p99"], 1000, "lower", "ms")
    w("## Targets (issue: 2 cores, 10M relations; checked here at this size)")
    w("")
    w("| target | limit | measured | |")
    w("|---|---|---|---|")
    for t in T:
        op = "≥" if t["better"] == "higher" else "≤"
        v = t["value"]
        vs = f"{v:,.0f}" if v >= 100 else f"{v:.2f}"
        status = ("not a target (the 1-hop target is the relation list)" if t["met"] is None
                  else "met" if t["met"] else "**missed**")
        w(f"| {t['target']} | {op} {t['limit']:,} {t['unit']} | {vs} {t['unit']} | {status} |")
    w("")
    w(f"Peers agree with relgraph on every compared answer: {'yes' if all_ok else '**no** (see above)'}.")
    w("")
    with open(args.md, "w") as f:
        f.write("\n".join(md))
    with open(args.json, "w") as f:
        json.dump(out, f, indent=1)
    print("\n".join(md))


if __name__ == "__main__":
    main()
