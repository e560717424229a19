#!/usr/bin/python3
"""Loads a relgraph export with the client analysts use and prints what the client saw.

usage: load_export.py FORMAT FILE   (FORMAT: graphml, gexf, cytoscape, csv)

Prints one JSON object: {"nodes": [[entity_id, name, kind], ...] or null (csv has no nodes),
"edges": [[relation_id, subject_id, object_id, type], ...]}, both sorted, one edge per
relation. A symmetric relation's ends are given in id order: which is the subject carries no
meaning, and GEXF's "mutual" edges reach networkx both ways. Exits non-zero with the client's
error when the client rejects the file: that is the test failing.
"""
import csv
import json
import sys


def entity_id(node_id):
    # Exports name nodes "n<entity id>".
    assert str(node_id).startswith("n"), node_id
    return int(str(node_id)[1:])


def relation_id(edge_id):
    assert str(edge_id).startswith("e"), edge_id
    return int(str(edge_id)[1:])


def edge_row(rid, source, target, rtype, symmetric):
    if symmetric and target < source:
        source, target = target, source
    return [rid, source, target, rtype]


def from_networkx(g, name_attr):
    nodes = [[entity_id(n), d[name_attr], d["kind"]] for n, d in g.nodes(data=True)]
    if g.is_multigraph():
        triples = list(g.edges(keys=True, data=True))
    else:
        triples = [(u, v, d.get("id"), d) for u, v, d in g.edges(data=True)]
    ways = {}
    for u, v, key, d in triples:
        ways.setdefault(relation_id(d.get("id", key)), []).append((entity_id(u), entity_id(v), d))
    edges = []
    for rid, seen in ways.items():
        (u, v, d) = seen[0]
        # GraphML says "symmetric"; GEXF's mutual edges arrive once each way.
        both = len(seen) == 2 and seen[1][:2] == (v, u)
        assert len(seen) == 1 or both, (rid, seen)
        edges.append(edge_row(rid, u, v, d["type"], d.get("symmetric", False) or both))
    return nodes, edges


def main():
    fmt, path = sys.argv[1], sys.argv[2]
    if fmt == "graphml":
        import networkx
        nodes, edges = from_networkx(networkx.read_graphml(path), "name")
    elif fmt == "gexf":
        import networkx
        nodes, edges = from_networkx(networkx.read_gexf(path), "label")
    elif fmt == "cytoscape":
        with open(path, encoding="utf-8") as f:
            elements = json.load(f)["elements"]
        node_ids = {e["data"]["id"] for e in elements if e["group"] == "nodes"}
        nodes = [[e["data"]["entity_id"], e["data"]["label"], e["data"]["kind"]]
                 for e in elements if e["group"] == "nodes"]
        edges = []
        for e in elements:
            if e["group"] != "edges":
                continue
            d = e["data"]
            # Cytoscape.js refuses an edge whose ends are not nodes of the graph.
            assert d["source"] in node_ids and d["target"] in node_ids, d
            edges.append(edge_row(d["relation_id"], entity_id(d["source"]), entity_id(d["target"]),
                                  d["label"], d["symmetric"]))
    elif fmt == "csv":
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        nodes = None
        edges = [edge_row(int(r["relation_id"]), int(r["subject_id"]), int(r["object_id"]),
                          r["type"], r["symmetric"] == "true") for r in rows]
    else:
        sys.exit("unknown format " + fmt)
    print(json.dumps({"nodes": sorted(nodes) if nodes is not None else None, "edges": sorted(edges)}))


if __name__ == "__main__":
    main()
