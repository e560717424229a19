#include "server/graph_export.h"

#include <string_view>

namespace relgraph::server {
namespace {

using nlohmann::json;

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters even when escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
  return out;
}

std::string dot_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string str(const json& j, const char* field) {
  if (!j.contains(field) || j[field].is_null()) return {};
  return j[field].is_string() ? j[field].get<std::string>() : j[field].dump();
}

// "n12", "e40". Built by appending: `"n" + std::string` trips GCC 12's false -Wrestrict
// at -O3 (a Release build would fail under -Werror).
std::string prefixed(char prefix, const std::string& id) {
  std::string out(1, prefix);
  out += id;
  return out;
}
std::string node_id(const json& n) { return prefixed('n', str(n, "id")); }
std::string edge_end(const json& e, const char* side) { return prefixed('n', str(e[side], "id")); }

Exported cytoscape(const json& nodes, const json& edges) {
  json elements = json::array();
  for (const auto& n : nodes) {
    json data = n;
    data["id"] = node_id(n);
    data["entity_id"] = n["id"];
    data["label"] = n["name"];
    elements.push_back({{"group", "nodes"}, {"data", data}});
  }
  for (const auto& e : edges) {
    json data = e;
    data["id"] = prefixed('e', str(e, "id"));
    data["relation_id"] = e["id"];
    data["source"] = edge_end(e, "subject");
    data["target"] = edge_end(e, "object");
    data["label"] = e["type"];
    elements.push_back({{"group", "edges"}, {"data", data}});
  }
  return {json({{"elements", elements}}).dump(-1, ' ', false, json::error_handler_t::replace),
          "application/vnd.cytoscape+json"};
}

Exported graphml(const json& nodes, const json& edges, const std::string& title) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
      "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n"
      "  <key id=\"key\" for=\"node\" attr.name=\"key\" attr.type=\"string\"/>\n"
      "  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n"
      "  <key id=\"type\" for=\"edge\" attr.name=\"type\" attr.type=\"string\"/>\n"
      "  <key id=\"symmetric\" for=\"edge\" attr.name=\"symmetric\" attr.type=\"boolean\"/>\n"
      "  <key id=\"evidence_count\" for=\"edge\" attr.name=\"evidence_count\" attr.type=\"int\"/>\n"
      "  <key id=\"first_seen\" for=\"edge\" attr.name=\"first_seen\" attr.type=\"string\"/>\n"
      "  <key id=\"last_seen\" for=\"edge\" attr.name=\"last_seen\" attr.type=\"string\"/>\n"
      "  <graph id=\"" + xml_escape(title) + "\" edgedefault=\"directed\">\n";
  for (const auto& n : nodes) {
    out += "    <node id=\"" + node_id(n) + "\">";
    for (const char* f : {"name", "key", "kind"})
      out += "<data key=\"" + std::string(f) + "\">" + xml_escape(str(n, f)) + "</data>";
    out += "</node>\n";
  }
  for (const auto& e : edges) {
    out += "    <edge id=\"e" + str(e, "id") + "\" source=\"" + edge_end(e, "subject") +
           "\" target=\"" + edge_end(e, "object") + "\">";
    for (const char* f : {"type", "symmetric", "evidence_count", "first_seen", "last_seen"})
      out += "<data key=\"" + std::string(f) + "\">" + xml_escape(str(e, f)) + "</data>";
    out += "</edge>\n";
  }
  out += "  </graph>\n</graphml>\n";
  return {out, "application/graphml+xml"};
}

Exported gexf(const json& nodes, const json& edges, const std::string& title) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      // GEXF 1.2: the version Gephi and networkx (which knows no 1.3) both read.
      "<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n"
      "  <meta><creator>relgraph</creator><description>" + xml_escape(title) +
      "</description></meta>\n"
      "  <graph defaultedgetype=\"directed\" mode=\"static\">\n"
      "    <attributes class=\"node\">\n"
      "      <attribute id=\"0\" title=\"key\" type=\"string\"/>\n"
      "      <attribute id=\"1\" title=\"kind\" type=\"string\"/>\n"
      "    </attributes>\n"
      "    <attributes class=\"edge\">\n"
      "      <attribute id=\"0\" title=\"type\" type=\"string\"/>\n"
      "      <attribute id=\"1\" title=\"evidence_count\" type=\"integer\"/>\n"
      "    </attributes>\n"
      "    <nodes>\n";
  for (const auto& n : nodes)
    out += "      <node id=\"" + node_id(n) + "\" label=\"" + xml_escape(str(n, "name")) +
           "\"><attvalues><attvalue for=\"0\" value=\"" + xml_escape(str(n, "key")) +
           "\"/><attvalue for=\"1\" value=\"" + xml_escape(str(n, "kind")) +
           "\"/></attvalues></node>\n";
  out += "    </nodes>\n    <edges>\n";
  for (const auto& e : edges) {
    const bool sym = e.value("symmetric", false);
    out += "      <edge id=\"e" + str(e, "id") + "\" source=\"" + edge_end(e, "subject") +
           "\" target=\"" + edge_end(e, "object") + "\" label=\"" + xml_escape(str(e, "type")) +
           // A symmetric relation is "mutual" (both ways): readers such as networkx refuse
           // "undirected" edges in a directed graph.
           "\" type=\"" + (sym ? "mutual" : "directed") + "\" weight=\"" +
           str(e, "evidence_count") + "\"><attvalues><attvalue for=\"0\" value=\"" +
           xml_escape(str(e, "type")) + "\"/><attvalue for=\"1\" value=\"" +
           str(e, "evidence_count") + "\"/></attvalues></edge>\n";
  }
  out += "    </edges>\n  </graph>\n</gexf>\n";
  return {out, "application/gexf+xml"};
}

Exported dot(const json& nodes, const json& edges, const std::string& title) {
  std::string out = "digraph " + dot_quote(title) + " {\n  node [shape=box];\n";
  for (const auto& n : nodes)
    out += "  " + node_id(n) + " [label=" + dot_quote(str(n, "name")) + ", kind=" +
           dot_quote(str(n, "kind")) + "];\n";
  for (const auto& e : edges)
    out += "  " + edge_end(e, "subject") + " -> " + edge_end(e, "object") + " [label=" +
           dot_quote(str(e, "type")) + (e.value("symmetric", false) ? ", dir=both" : "") +
           ", evidence_count=" + dot_quote(str(e, "evidence_count")) + "];\n";
  return {out + "}\n", "text/vnd.graphviz"};
}

Exported csv(const json& edges) {
  std::string out =
      "relation_id,type,symmetric,subject_id,subject,object_id,object,evidence_count,first_seen,"
      "last_seen\n";
  for (const auto& e : edges)
    out += str(e, "id") + "," + csv_field(str(e, "type")) + "," + str(e, "symmetric") + "," +
           str(e["subject"], "id") + "," + csv_field(str(e["subject"], "name")) + "," +
           str(e["object"], "id") + "," + csv_field(str(e["object"], "name")) + "," +
           str(e, "evidence_count") + "," + str(e, "first_seen") + "," + str(e, "last_seen") + "\n";
  return {out, "text/csv; charset=utf-8"};
}

}  // namespace

std::optional<ExportFormat> export_format(const std::string& param, const std::string& accept) {
  static const std::pair<const char*, ExportFormat> kNames[] = {
      {"json", ExportFormat::json},   {"cytoscape", ExportFormat::cytoscape},
      {"graphml", ExportFormat::graphml}, {"gexf", ExportFormat::gexf},
      {"dot", ExportFormat::dot},     {"csv", ExportFormat::csv}};
  if (!param.empty()) {
    for (const auto& [name, f] : kNames)
      if (param == name) return f;
    return std::nullopt;
  }
  static const std::pair<const char*, ExportFormat> kTypes[] = {
      {"application/vnd.cytoscape+json", ExportFormat::cytoscape},
      {"application/graphml+xml", ExportFormat::graphml},
      {"application/gexf+xml", ExportFormat::gexf},
      {"text/vnd.graphviz", ExportFormat::dot},
      {"text/csv", ExportFormat::csv}};
  for (const auto& [type, f] : kTypes)
    if (accept.find(type) != std::string::npos) return f;
  return ExportFormat::json;
}

Exported export_graph(ExportFormat format, const json& nodes, const json& edges,
                      const std::string& title) {
  switch (format) {
    case ExportFormat::cytoscape: return cytoscape(nodes, edges);
    case ExportFormat::graphml: return graphml(nodes, edges, title);
    case ExportFormat::gexf: return gexf(nodes, edges, title);
    case ExportFormat::dot: return dot(nodes, edges, title);
    case ExportFormat::csv: return csv(edges);
    case ExportFormat::json: break;
  }
  return {json({{"nodes", nodes}, {"edges", edges}}).dump(-1, ' ', false, json::error_handler_t::replace),
          "application/json"};
}

}  // namespace relgraph::server
