// A JSON Schema validator for the subset of JSON Schema 2020-12 that server/openapi.json
// uses, for tests that check the document against examples and live answers.
//
// Supported keywords: $ref (local, "#/..."), type (a name or an array of names), properties,
// required, additionalProperties (false or a schema), items, enum, minimum, maximum,
// minItems, maxItems, and the annotations description, format, example. Any other keyword
// is reported by unsupported_keywords(), so a test can refuse a document this validator would
// silently under-check.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace relgraph::testing {

class JsonSchemaValidator {
 public:
  // `document` holds the schemas that "$ref"s point into. It must outlive the validator.
  explicit JsonSchemaValidator(const nlohmann::json& document) : document_(document) {}

  // Each violation as "<pointer into the instance>: what is wrong"; empty when valid.
  std::vector<std::string> validate(const nlohmann::json& instance, const nlohmann::json& schema) const {
    std::vector<std::string> errors;
    check(instance, schema, "", errors, 0);
    return errors;
  }

  // Keywords used anywhere in `schema` (following $refs once each) that validate() ignores.
  std::set<std::string> unsupported_keywords(const nlohmann::json& schema) const {
    std::set<std::string> out;
    std::set<std::string> seen_refs;
    collect_unsupported(schema, out, seen_refs);
    return out;
  }

  // The schema a "$ref" names. Throws std::out_of_range when it does not resolve.
  const nlohmann::json& resolve(const std::string& ref) const {
    if (ref.rfind("#", 0) != 0) throw std::out_of_range("only local $refs are supported: " + ref);
    return document_.at(nlohmann::json::json_pointer(ref.substr(1)));
  }

 private:
  static bool has_type(const nlohmann::json& v, const std::string& type) {
    if (type == "null") return v.is_null();
    if (type == "boolean") return v.is_boolean();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    if (type == "string") return v.is_string();
    if (type == "array") return v.is_array();
    if (type == "object") return v.is_object();
    return false;
  }

  void check(const nlohmann::json& v, const nlohmann::json& schema, const std::string& at,
             std::vector<std::string>& errors, int depth) const {
    if (depth > 64) {
      errors.push_back(at + ": schema nesting too deep (a $ref cycle?)");
      return;
    }
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) errors.push_back(at + ": no value is allowed here");
      return;
    }
    if (schema.contains("$ref")) {
      check(v, resolve(schema["$ref"].get<std::string>()), at, errors, depth + 1);
      return;
    }
    if (schema.contains("type")) {
      const auto& t = schema["type"];
      bool ok = false;
      if (t.is_string()) ok = has_type(v, t.get<std::string>());
      for (const auto& one : t.is_array() ? t : nlohmann::json::array())
        ok = ok || has_type(v, one.get<std::string>());
      if (!ok) {
        errors.push_back(at + ": " + v.dump().substr(0, 60) + " is not of type " + t.dump());
        return;
      }
    }
    if (schema.contains("enum")) {
      bool found = false;
      for (const auto& e : schema["enum"]) found = found || e == v;
      if (!found) errors.push_back(at + ": " + v.dump().substr(0, 60) + " is not one of " + schema["enum"].dump());
    }
    if (v.is_number()) {
      if (schema.contains("minimum") && v.get<double>() < schema["minimum"].get<double>())
        errors.push_back(at + ": " + v.dump() + " is below the minimum " + schema["minimum"].dump());
      if (schema.contains("maximum") && v.get<double>() > schema["maximum"].get<double>())
        errors.push_back(at + ": " + v.dump() + " is above the maximum " + schema["maximum"].dump());
    }
    if (v.is_array()) {
      if (schema.contains("minItems") && v.size() < schema["minItems"].get<size_t>())
        errors.push_back(at + ": fewer than " + schema["minItems"].dump() + " items");
      if (schema.contains("maxItems") && v.size() > schema["maxItems"].get<size_t>())
        errors.push_back(at + ": more than " + schema["maxItems"].dump() + " items");
      if (schema.contains("items"))
        for (size_t i = 0; i < v.size(); ++i)
          check(v[i], schema["items"], at + "/" + std::to_string(i), errors, depth + 1);
    }
    if (v.is_object()) {
      for (const auto& name : schema.value("required", nlohmann::json::array()))
        if (!v.contains(name.get<std::string>()))
          errors.push_back(at + ": the required field \"" + name.get<std::string>() + "\" is missing");
      const nlohmann::json props = schema.value("properties", nlohmann::json::object());
      for (const auto& [key, value] : v.items()) {
        if (props.contains(key)) {
          check(value, props[key], at + "/" + key, errors, depth + 1);
        } else if (schema.contains("additionalProperties")) {
          const auto& extra = schema["additionalProperties"];
          if (extra.is_boolean() && !extra.get<bool>())
            errors.push_back(at + ": the field \"" + key + "\" is not documented");
          else
            check(value, extra, at + "/" + key, errors, depth + 1);
        }
      }
    }
  }

  void collect_unsupported(const nlohmann::json& schema, std::set<std::string>& out,
                           std::set<std::string>& seen_refs) const {
    static const std::set<std::string> kSupported = {
        "$ref", "type", "properties", "required", "additionalProperties", "items", "enum",
        "minimum", "maximum", "minItems", "maxItems", "description", "format", "example"};
    if (!schema.is_object()) return;
    for (const auto& [key, value] : schema.items()) {
      if (!kSupported.count(key)) out.insert(key);
      if (key == "$ref" && seen_refs.insert(value.get<std::string>()).second)
        collect_unsupported(resolve(value.get<std::string>()), out, seen_refs);
      if (key == "items" || key == "additionalProperties") collect_unsupported(value, out, seen_refs);
      if (key == "properties")
        for (const auto& [name, sub] : value.items()) collect_unsupported(sub, out, seen_refs);
    }
  }

  const nlohmann::json& document_;
};

}  // namespace relgraph::testing
