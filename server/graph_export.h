// Exports of a graph answer (neighbourhood, path set, subgraph) in the formats analysts'
// tools read: Cytoscape.js JSON, GraphML (networkx, Gephi, yEd), GEXF (Gephi), DOT
// (Graphviz) and CSV (an edge list). Pure functions of the JSON answer's "nodes" (Entity
// objects) and "edges" (Relation objects); thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace relgraph::server {

enum class ExportFormat { json, cytoscape, graphml, gexf, dot, csv };

// The format named by a `format` parameter ("graphml") or, failing that, by an Accept
// header ("application/graphml+xml"); nullopt when the name is unknown.
std::optional<ExportFormat> export_format(const std::string& param, const std::string& accept);

struct Exported {
  std::string body;
  std::string content_type;
};

// Renders nodes and edges. `title` names the graph where a format has a place for it.
Exported export_graph(ExportFormat format, const nlohmann::json& nodes, const nlohmann::json& edges,
                      const std::string& title);

}  // namespace relgraph::server
