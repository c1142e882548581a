#include "app/flag_table.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "app/config_document.h"
#include "common/text.h"

namespace imagine {
namespace {

using json = nlohmann::json;

std::string EnvName(const std::string& flag) {
  std::string env = "IMAGINE_EMU_";
  for (char c : flag) env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

// The default as --help and README say it, from the key's schema default.
std::string DefaultText(const json& node) {
  auto it = node.find("default");
  if (it == node.end()) return "—";
  if ((it->is_string() && it->get<std::string>().empty()) || (it->is_array() && it->empty())) return "none";
  if (it->is_boolean()) return it->get<bool>() ? "on" : "off";
  return "`" + (it->is_string() ? it->get<std::string>() : it->dump()) + "`";
}

StatusOr<FlagKind> KindOf(const json& node, const std::string& pointer) {
  const std::string type = node.value("type", "");
  if (type == "string") return FlagKind::kText;
  if (type == "integer" || type == "number") return FlagKind::kNumber;
  if (type == "boolean") return FlagKind::kBool;
  if (type == "array") return FlagKind::kList;
  if (type == "object") return FlagKind::kPairs;
  return Internal("schemas/config.schema.yaml: x-flag on " + ConfigKeyPath(pointer) + ", whose type it cannot take");
}

StatusOr<FlagSpec> SpecOf(const json& node, const std::string& pointer) {
  const json& x = node.at("x-flag");
  const std::string where = "schemas/config.schema.yaml: x-flag of " + ConfigKeyPath(pointer);
  if (!x.is_object() || !x.value("name", json()).is_string() || !x.value("order", json()).is_number_integer() ||
      !x.value("help", json()).is_string()) {
    return Internal(where + " needs name, order and help");
  }
  static const std::set<std::string> kKnown = {"name", "order", "value", "help", "default", "non_empty", "keys"};
  for (const auto& [key, value] : x.items()) {
    if (!kKnown.count(key)) return Internal(where + ": unknown key " + key);
  }
  FlagSpec f;
  f.name = x.at("name").get<std::string>();
  f.env = EnvName(f.name);
  auto kind = KindOf(node, pointer);
  if (!kind.ok()) return kind.status();
  f.kind = *kind;
  f.pointer = pointer;
  f.order = x.at("order").get<int>();
  f.value_name = x.value("value", "");
  f.help = x.at("help").get<std::string>();
  f.default_text = x.contains("default") ? x.at("default").get<std::string>() : DefaultText(node);
  f.non_empty = x.value("non_empty", false);
  if (f.kind == FlagKind::kPairs) {
    f.keys = x.value("keys", std::vector<std::string>());
    if (f.keys.empty()) return Internal(where + ": a mapping's flag needs keys");
    if (auto values = node.find("additionalProperties"); values != node.end() && values->is_object()) {
      auto value_kind = KindOf(*values, pointer);
      if (!value_kind.ok()) return value_kind.status();
      f.pair_kind = *value_kind;
    }
  }
  if (f.value_name.empty() != (f.kind == FlagKind::kBool)) return Internal(where + ": value is for non-boolean keys");
  return f;
}

// Every x-flag under `node` (properties only: a flag sets one named key).
Status Collect(const json& node, const std::string& pointer, std::vector<FlagSpec>* out) {
  if (!node.is_object()) return Status::Ok();
  if (node.contains("x-flag")) {
    auto spec = SpecOf(node, pointer);
    if (!spec.ok()) return spec.status();
    out->push_back(std::move(spec).value());
  }
  if (auto props = node.find("properties"); props != node.end() && props->is_object()) {
    for (const auto& [key, child] : props->items()) {
      IMAGINE_RETURN_IF_ERROR(Collect(child, pointer + "/" + EscapePointerToken(key), out));
    }
  }
  return Status::Ok();
}

std::vector<std::string> SplitTrimmed(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const size_t first = text.find_first_not_of(" \t", start);
    const size_t last = text.find_last_not_of(" \t", comma - 1);
    items.push_back(first < comma && last != std::string::npos && last >= first ? text.substr(first, last - first + 1)
                                                                               : std::string());
    start = comma + 1;
  }
  return items;
}

// `text` as the JSON value a flag of `kind` gives; what does not read as its kind stays
// text, so the schema refuses it.
json Typed(FlagKind kind, const std::string& text) {
  if (kind == FlagKind::kList) return SplitTrimmed(text);
  if (kind == FlagKind::kBool) {
    if (text == "1" || text == "true") return true;
    if (text == "0" || text == "false") return false;
    return text;
  }
  if (kind != FlagKind::kNumber || text.empty()) return text;
  char* end = nullptr;
  errno = 0;
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (*end == '\0' && errno == 0) return v;
  }
  if (text[0] == '-' && text.size() > 1 && text.find_first_not_of("0123456789", 1) == std::string::npos) {
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (*end == '\0' && errno == 0) return v;
  }
  errno = 0;
  double d = std::strtod(text.c_str(), &end);
  if (*end == '\0' && errno == 0 && std::isfinite(d)) return d;
  return text;
}

// "apikley=URL,evolink=URL" as {"apikley": URL, ...} over `flag.keys`, each key at most once
// (a value holds no unescaped comma); null when it is not that shape.
json Pairs(const FlagSpec& flag, const std::string& text) {
  json pairs = json::object();
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string pair = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const size_t eq = pair.find('=');
    const std::string key = eq == std::string::npos ? "" : pair.substr(0, eq);
    if (std::find(flag.keys.begin(), flag.keys.end(), key) == flag.keys.end() || eq + 1 >= pair.size() ||
        pairs.contains(key)) {
      return nullptr;
    }
    pairs[key] = pair.substr(eq + 1);
    if (comma == std::string::npos) return pairs;
    start = comma + 1;
  }
}

// {"a":{"b": value}} for "/a/b".
json AtPointer(const std::string& pointer, json value) {
  json layer;
  layer[json::json_pointer(pointer)] = std::move(value);
  return layer;
}

}  // namespace

StatusOr<std::vector<FlagSpec>> SchemaFlags() {
  static const StatusOr<std::vector<FlagSpec>> kFlags = []() -> StatusOr<std::vector<FlagSpec>> {
    std::vector<FlagSpec> flags;
    IMAGINE_RETURN_IF_ERROR(Collect(ConfigDocument::SchemaJson(), "", &flags));
    std::set<std::string> names = {"help", "version", "config"};  // command_line.cc's own
    for (const FlagSpec& f : flags) {
      if (!names.insert(f.name).second) return Internal("schemas/config.schema.yaml: two flags are named --" + f.name);
    }
    std::stable_sort(flags.begin(), flags.end(), [](const FlagSpec& a, const FlagSpec& b) { return a.order < b.order; });
    return flags;
  }();
  return kFlags;
}

StatusOr<json> FlagLayer(const FlagSpec& flag, const std::string& text, const std::string& origin) {
  const std::string got = "\"" + text + "\"";
  if (flag.non_empty && text.empty()) return InvalidArgument(origin + ": must not be empty");
  if (flag.kind == FlagKind::kPairs) {
    json pairs = Pairs(flag, text);
    if (pairs.is_null()) {
      std::string names;  // the names a pair may have (the providers, for --listen and --proxy)
      for (const std::string& k : flag.keys) names += (names.empty() ? "" : ", ") + k;
      return InvalidArgument(origin + ": must be " + flag.value_name + " (any of " + names + ", each once; got " + got + ")");
    }
    for (auto& [key, value] : pairs.items()) {
      const std::string given = "\"" + value.get<std::string>() + "\"";
      value = Typed(flag.pair_kind, value.get<std::string>());
      Status checked = ConfigDocument::CheckValue(flag.pointer + "/" + EscapePointerToken(key), value, given);
      if (checked.code() == Code::kInvalidArgument) return InvalidArgument(origin + ": " + key + ": " + checked.message());
      IMAGINE_RETURN_IF_ERROR(checked);
    }
    return AtPointer(flag.pointer, std::move(pairs));
  }
  json value = Typed(flag.kind, text);
  Status checked = ConfigDocument::CheckValue(flag.pointer, value, got);
  if (checked.code() == Code::kInvalidArgument) return InvalidArgument(origin + ": " + checked.message());
  IMAGINE_RETURN_IF_ERROR(checked);
  return AtPointer(flag.pointer, std::move(value));
}

}  // namespace imagine
