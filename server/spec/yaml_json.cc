// YAML 1.2 core-schema resolution of yaml-cpp nodes into nlohmann::json; see yaml_json.h.
#include "spec/yaml_json.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <limits>
#include <optional>
#include <string>

namespace imagine::spec {
namespace {

using json = nlohmann::json;

constexpr char kTagStr[] = "tag:yaml.org,2002:str";
constexpr char kTagNull[] = "tag:yaml.org,2002:null";
constexpr char kTagBool[] = "tag:yaml.org,2002:bool";
constexpr char kTagInt[] = "tag:yaml.org,2002:int";
constexpr char kTagFloat[] = "tag:yaml.org,2002:float";
constexpr char kTagSeq[] = "tag:yaml.org,2002:seq";
constexpr char kTagMap[] = "tag:yaml.org,2002:map";

bool IsDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = base == 8    ? (c >= '0' && c <= '7')
                    : base == 10 ? (c >= '0' && c <= '9')
                                 : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                                    (c >= 'A' && c <= 'F'));
    if (!ok) return false;
  }
  return true;
}

double ParseDouble(const std::string& s) {
  // strtod handles out-of-range values as the core schema wants (inf / 0); the grammar was
  // checked before, so only digits, '.', 'e' and signs reach it.
  return std::strtod(s.c_str(), nullptr);
}

// Core-schema int: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+.
std::optional<json> ResolveInt(const std::string& s) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
    const int base = s[1] == 'o' ? 8 : 16;
    const std::string_view digits(s.data() + 2, s.size() - 2);
    if (!IsDigits(digits, base)) return std::nullopt;
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return json(value);
  }
  std::string_view body(s);
  const bool negative = !body.empty() && body[0] == '-';
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
  if (!IsDigits(body, 10)) return std::nullopt;
  if (negative) {
    int64_t value = 0;
    std::string with_sign = "-" + std::string(body);
    auto [end, ec] = std::from_chars(with_sign.data(), with_sign.data() + with_sign.size(), value);
    if (ec == std::errc() && end == with_sign.data() + with_sign.size()) return json(value);
    return json(ParseDouble(with_sign));  // beyond 64 bits
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec == std::errc() && end == body.data() + body.size()) return json(value);
  return json(ParseDouble(std::string(body)));
}

// Core-schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.(inf|Inf|INF)
// | \.(nan|NaN|NAN).
std::optional<json> ResolveFloat(const std::string& s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    return json(std::numeric_limits<double>::quiet_NaN());
  }
  std::string_view body(s);
  const bool negative = !body.empty() && body[0] == '-';
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    const double inf = std::numeric_limits<double>::infinity();
    return json(negative ? -inf : inf);
  }
  size_t i = 0;
  size_t int_digits = 0;
  while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '-' || body[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != body.size()) return std::nullopt;
  return json(ParseDouble(s));
}

bool IsNullText(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<json> ResolveBool(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return json(true);
  if (s == "false" || s == "False" || s == "FALSE") return json(false);
  return std::nullopt;
}

// Plain-scalar resolution per the YAML 1.2 core schema.
json ResolvePlain(const std::string& s) {
  if (IsNullText(s)) return json(nullptr);
  if (auto b = ResolveBool(s)) return *b;
  if (auto i = ResolveInt(s)) return *i;
  if (auto f = ResolveFloat(s)) return *f;
  return json(s);
}

std::string Position(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return "";
  return std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": ";
}

// Json: nlohmann::json (mappings sorted by key) or nlohmann::ordered_json (in the YAML's order).
template <class Json>
class Converter {
 public:
  StatusOr<Json> Convert(const YAML::Node& node, int depth) {
    if (depth > kMaxYamlDepth) {
      return InvalidArgument(Position(node) + "nesting deeper than " +
                             std::to_string(kMaxYamlDepth) + " levels (an alias cycle?)");
    }
    if (++nodes_ > kMaxYamlNodes) {
      return InvalidArgument(Position(node) + "more than " + std::to_string(kMaxYamlNodes) +
                             " values after expanding aliases");
    }
    const std::string& tag = node.Tag();
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
        return InvalidArgument("undefined YAML node");
      case YAML::NodeType::Null:
        if (tag == kTagStr) return Json("");
        if (tag.empty() || tag == "?" || tag == "!" || tag == kTagNull) return Json(nullptr);
        return InvalidArgument(Position(node) + "empty value cannot have tag '" + tag + "'");
      case YAML::NodeType::Scalar: {
        StatusOr<json> scalar = ConvertScalar(node, tag);
        if (!scalar.ok()) return scalar.status();
        return Json(std::move(scalar).value());
      }
      case YAML::NodeType::Sequence: {
        if (!IsCollectionTag(tag, kTagSeq)) {
          return InvalidArgument(Position(node) + "unsupported tag '" + tag + "'");
        }
        Json out = Json::array();
        for (const YAML::Node& item : node) {
          StatusOr<Json> value = Convert(item, depth + 1);
          if (!value.ok()) return value.status();
          out.push_back(std::move(value).value());
        }
        return out;
      }
      case YAML::NodeType::Map: {
        if (!IsCollectionTag(tag, kTagMap)) {
          return InvalidArgument(Position(node) + "unsupported tag '" + tag + "'");
        }
        Json out = Json::object();
        for (const auto& entry : node) {
          const YAML::Node& key_node = entry.first;
          std::string key;
          if (key_node.IsScalar()) {
            key = key_node.Scalar();
          } else if (key_node.IsNull()) {
            key = "null";
          } else {
            return InvalidArgument(Position(key_node) + "mapping keys must be scalars");
          }
          if (out.contains(key)) {
            return InvalidArgument(Position(key_node) + "duplicate key '" + key + "'");
          }
          StatusOr<Json> value = Convert(entry.second, depth + 1);
          if (!value.ok()) return value.status();
          out.emplace(std::move(key), std::move(value).value());
        }
        return out;
      }
    }
    return InvalidArgument(Position(node) + "unknown YAML node type");
  }

 private:
  static bool IsCollectionTag(const std::string& tag, const char* core) {
    return tag.empty() || tag == "?" || tag == "!" || tag == core;
  }

  static StatusOr<json> ConvertScalar(const YAML::Node& node, const std::string& tag) {
    const std::string& text = node.Scalar();
    if (tag == "?") return ResolvePlain(text);
    if (tag == "!" || tag == kTagStr) return json(text);
    std::optional<json> value;
    if (tag == kTagNull) {
      if (IsNullText(text)) value = json(nullptr);
    } else if (tag == kTagBool) {
      value = ResolveBool(text);
    } else if (tag == kTagInt) {
      value = ResolveInt(text);
    } else if (tag == kTagFloat) {
      value = ResolveFloat(text);
      if (!value) {
        if (auto i = ResolveInt(text)) value = json(i->get<double>());
      }
    } else {
      return InvalidArgument(Position(node) + "unsupported tag '" + tag + "'");
    }
    if (!value) {
      return InvalidArgument(Position(node) + "'" + text + "' does not match tag '" + tag + "'");
    }
    return *value;
  }

  size_t nodes_ = 0;
};

template <class Json>
StatusOr<Json> ConvertYaml(const YAML::Node& node) {
  try {
    Converter<Json> converter;
    return converter.Convert(node, 0);
  } catch (const std::exception& e) {  // yaml-cpp InvalidNode, std::bad_alloc
    return InvalidArgument(std::string("YAML conversion failed: ") + e.what());
  }
}

template <class Json>
StatusOr<Json> ParseYaml(std::string_view text, std::string_view source_name) {
  const std::string source(source_name);
  YAML::Node node;
  try {
    node = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    std::string where = source;
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return InvalidArgument(where + ": " + e.msg);
  } catch (const std::exception& e) {
    return InvalidArgument(source + ": " + e.what());
  }
  StatusOr<Json> converted = ConvertYaml<Json>(node);
  if (!converted.ok()) {
    const std::string& message = converted.status().message();
    const bool positioned = !message.empty() && message[0] >= '0' && message[0] <= '9';
    return InvalidArgument(source + (positioned ? ":" : ": ") + message);
  }
  return converted;
}

}  // namespace

StatusOr<json> YamlToJson(const YAML::Node& node) { return ConvertYaml<json>(node); }

StatusOr<json> ParseYamlDocument(std::string_view text, std::string_view source_name) {
  return ParseYaml<json>(text, source_name);
}

StatusOr<nlohmann::ordered_json> ParseOrderedYamlDocument(std::string_view text, std::string_view source_name) {
  return ParseYaml<nlohmann::ordered_json>(text, source_name);
}

}  // namespace imagine::spec
