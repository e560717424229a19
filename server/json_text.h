// JSON text written straight into a string, for the answers served most often (graph
// answers, relation lists). Building an nlohmann::json tree and dumping it cost more CPU than
// the graph query behind the answer: a 100-node neighbourhood made thousands of small
// allocations. The functions here append to a caller's string instead.
//
// The text is the same, byte for byte, as nlohmann's dump(-1, ' ', false,
// error_handler_t::replace) of the same values, provided the caller writes object keys in
// the order nlohmann keeps them (sorted): clients and tests see no difference.
//
// Thread-safety: plain functions of their arguments.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace relgraph::server {

// A JSON string: quoted; '"', '\\' and control characters escaped; invalid UTF-8 replaced
// by U+FFFD as nlohmann's replace handler does.
void append_json_string(std::string& out, std::string_view s);
void append_json_int(std::string& out, int64_t v);
void append_json_uint(std::string& out, uint64_t v);
// As nlohmann writes a double: shortest round-trip digits, "3.0" for integral values, null
// for NaN and infinities.
void append_json_double(std::string& out, double v);
void append_json_bool(std::string& out, bool v);
// A quoted "YYYY-MM-DD" for days since 1970-01-01 (the same text as ingest::iso_from_days).
void append_json_date(std::string& out, int32_t days);

}  // namespace relgraph::server
