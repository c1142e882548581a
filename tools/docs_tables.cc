#include "docs_tables.h"

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include "common/resources.h"

namespace imagine::docs {
namespace {

std::optional<YAML::Node> LoadEmbedded(const std::string& name, std::string* error) {
  const std::optional<std::string_view> text = FindResource(name);
  if (!text) {
    *error = name + " is not embedded";
    return std::nullopt;
  }
  try {
    return YAML::Load(std::string(*text));
  } catch (const YAML::Exception& e) {
    *error = name + ": " + e.what();
    return std::nullopt;
  }
}

std::string Scalar(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : ""; }

// node[key] that is safe to chain: an undefined node stays undefined instead of throwing.
YAML::Node Get(const YAML::Node& node, const std::string& key) {
  if (!node || !node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node child = node[key];
  return child ? child : YAML::Node(YAML::NodeType::Undefined);
}

// One line, with the table's separator escaped.
std::string Cell(std::string text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// A YAML value written compactly as JSON would show it (flow style), e.g. [0.2, 1] or {}.
std::string Flow(const YAML::Node& n) {
  if (!n) return "";
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (n.Tag() == "!" || s.empty()) return "'" + s + "'";  // a quoted string
    return s;
  }
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << n;
  return out.c_str();
}

std::string Code(const std::string& s) { return s.empty() ? "" : "`" + s + "`"; }

// ---- config keys -------------------------------------------------------------------------------

class ConfigWalker {
 public:
  explicit ConfigWalker(YAML::Node root) : root_(std::move(root)) {}

  std::string Rows() {
    Walk("", root_);
    return rows_;
  }

 private:
  // The schema a node stands for: its $ref, or its allOf's only $ref, merged under its own keys.
  YAML::Node Resolve(const YAML::Node& node, std::string* definition) const {
    std::string ref = Scalar(node["$ref"]);
    if (ref.empty() && node["allOf"] && node["allOf"].IsSequence() && node["allOf"].size() == 1) {
      ref = Scalar(node["allOf"][0]["$ref"]);
    }
    const std::string prefix = "#/definitions/";
    if (ref.rfind(prefix, 0) != 0) return node;
    *definition = ref.substr(prefix.size());
    YAML::Node merged = YAML::Clone(Get(Get(root_, "definitions"), *definition));
    for (const auto& kv : node) {
      const std::string k = kv.first.Scalar();
      if (k != "$ref" && k != "allOf") merged[k] = kv.second;
    }
    return merged;
  }

  static std::string Type(const YAML::Node& s) {
    std::string type = Scalar(s["type"]);
    if (type == "array" && !Scalar(Get(Get(s, "items"), "type")).empty()) {
      type = "list of " + Scalar(Get(Get(s, "items"), "type"));
    }
    if (s["enum"] && s["enum"].IsSequence()) {
      std::string values;
      for (const auto& v : s["enum"]) values += (values.empty() ? "" : ", ") + Code(v.Scalar());
      return (type.empty() ? "" : type + ": ") + values;
    }
    return type;
  }

  void Row(const std::string& path, const YAML::Node& s, const std::string& extra) {
    std::string meaning = Scalar(s["description"]);
    if (!extra.empty() && !meaning.empty() && meaning.back() == '.') meaning.pop_back();
    if (!extra.empty()) meaning += (meaning.empty() ? "" : "; ") + extra;
    rows_ += "| " + Code(path) + " | " + Cell(Type(s)) + " | " + Cell(Code(Flow(s["default"]))) + " | " + Cell(meaning) +
             " |\n";
  }

  void Walk(const std::string& path, const YAML::Node& node) {
    std::string definition;
    const YAML::Node s = Resolve(node, &definition);
    if (!definition.empty()) {
      auto [it, first] = first_use_.emplace(definition, path);
      if (!first) {
        Row(path, s, "fields as " + Code(it->second));
        return;
      }
    }
    const YAML::Node properties = s["properties"];
    const YAML::Node additional = s["additionalProperties"];
    const bool map_of = additional && additional.IsMap();
    if (properties && properties.IsMap()) {
      if (!path.empty() && !Scalar(s["description"]).empty()) Row(path, s, "");
      for (const auto& kv : properties) Walk((path.empty() ? "" : path + ".") + kv.first.Scalar(), kv.second);
      return;
    }
    if (map_of) {
      std::string ignored;
      const YAML::Node value = Resolve(additional, &ignored);
      const bool structured = value["properties"] || value["$ref"] || value["additionalProperties"];
      const std::string placeholder = path + ".<" + (path.find("keys") != std::string::npos ? "key" : "name") + ">";
      if (!structured) {
        Row(placeholder, value, Scalar(s["description"]));
        return;
      }
      if (!Scalar(s["description"]).empty()) Row(path, s, "");
      Walk(placeholder, additional);
      return;
    }
    Row(path, s, "");
  }

  YAML::Node root_;
  std::map<std::string, std::string> first_use_;  // definition -> the first key spelled out with it
  std::string rows_;
};

// ---- control API -------------------------------------------------------------------------------

YAML::Node LocalRef(const YAML::Node& doc, const YAML::Node& node) {
  const std::string ref = Scalar(node["$ref"]);
  if (ref.rfind("#/", 0) != 0) return node;
  YAML::Node at = doc;
  std::stringstream parts(ref.substr(2));
  std::string part;
  // reset(), not =: assigning to a YAML::Node writes into the node it refers to (the document).
  while (std::getline(parts, part, '/')) at.reset(Get(at, part));
  return at;
}

// "a `Rule`", "an `Outage`".
std::string Named(const std::string& name) {
  const bool vowel = !name.empty() && std::string("AEIOUaeiou").find(name[0]) != std::string::npos;
  return (vowel ? "an " : "a ") + Code(name);
}

std::string BodyFields(const YAML::Node& doc, const YAML::Node& op) {
  const YAML::Node schema = Get(Get(Get(Get(op, "requestBody"), "content"), "application/json"), "schema");
  if (!schema) return "";
  const std::string ref = Scalar(schema["$ref"]);
  if (!ref.empty() && ref.rfind("#/", 0) != 0) return Named(ref.substr(ref.rfind('/') + 1));  // another document
  const YAML::Node s = LocalRef(doc, schema);
  if (s["$ref"]) {
    const std::string inner = Scalar(s["$ref"]);
    return Named(inner.substr(inner.rfind('/') + 1));
  }
  std::string fields;
  for (const auto& kv : Get(s, "properties")) fields += (fields.empty() ? "" : ", ") + Code(kv.first.Scalar());
  if (fields.empty()) fields = Scalar(s["type"]) == "object" ? "`{}`" : Code(Scalar(s["type"]));
  return fields;
}

}  // namespace

std::string ConfigKeyTable() {
  std::string error;
  std::optional<YAML::Node> root = LoadEmbedded("schemas/config.schema.yaml", &error);
  std::string table = "| key | type | default | meaning |\n|---|---|---|---|\n";
  if (!root) return table + "| " + Cell(error) + " | | | |\n";
  return table + ConfigWalker(*root).Rows();
}

std::string ControlApiTable() {
  std::string error;
  std::optional<YAML::Node> doc = LoadEmbedded("schemas/admin.openapi.yaml", &error);
  std::string table = "| route | what it does | query | body |\n|---|---|---|---|\n";
  if (!doc) return table + "| " + Cell(error) + " | | | |\n";
  for (const auto& path : Get(*doc, "paths")) {
    for (const auto& method : path.second) {
      std::string verb = method.first.Scalar();
      if (verb == "parameters") continue;
      for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const YAML::Node op = method.second;
      std::string query;
      for (const auto& p : Get(op, "parameters")) {
        const YAML::Node param = LocalRef(*doc, p);
        if (Scalar(param["in"]) == "query") query += (query.empty() ? "" : ", ") + Code(Scalar(param["name"]));
      }
      std::string what = Scalar(op["description"]);
      if (what.empty()) what = Scalar(op["summary"]);
      table += "| " + Code(verb + " " + path.first.Scalar()) + " | " + Cell(what) + " | " + query + " | " +
               BodyFields(*doc, op) + " |\n";
    }
  }
  return table;
}

std::string WithGenerated(const std::string& page, const std::string& name, const std::string& table) {
  const std::string begin = "<!-- BEGIN generated " + name + ":";
  const std::string end = "<!-- END generated " + name + " -->";
  const size_t b = page.find(begin);
  if (b == std::string::npos) return page;
  const size_t body = page.find('\n', b);
  const size_t e = page.find(end, b);
  if (body == std::string::npos || e == std::string::npos || e < body) return page;
  return page.substr(0, body + 1) + table + page.substr(e);
}

}  // namespace imagine::docs
