#include "app/config_document.h"

#include <yaml-cpp/yaml.h>

#include <functional>
#include <iterator>
#include <set>
#include <vector>

#include "app/provider_config_schema.h"
#include "common/text.h"
#include "providers/provider_catalog.h"
#include "spec/embedded_documents.h"
#include "spec/schema_defaults.h"
#include "spec/schema_navigation.h"
#include "spec/yaml_json.h"

namespace imagine {
namespace {

using json = nlohmann::json;

// A config has no business being deep or large; these stop alias bombs early (a few
// hundred bytes of anchors can otherwise expand to gigabytes).
constexpr int kMaxDepth = 32;
constexpr size_t kMaxNodes = 100'000;

// True when `pointer` is `prefix` or lies under it.
bool Under(const std::string& pointer, const std::string& prefix) {
  return pointer.compare(0, prefix.size(), prefix) == 0 && (pointer.size() == prefix.size() || prefix.empty() ||
                                                            pointer[prefix.size()] == '/');
}

std::string Parent(const std::string& pointer) {
  const size_t slash = pointer.rfind('/');
  return slash == std::string::npos ? std::string() : pointer.substr(0, slash);
}

std::vector<const json*> View(const json* node) { return spec::SchemaView(ConfigDocument::SchemaJson(), node); }

const json* Find(const std::vector<const json*>& view, const char* key) { return spec::FindInView(view, key); }

// The schema node that describes the instance at `pointer`, or null.
const json* SchemaAt(const std::string& pointer) {
  return spec::SchemaNodeAt(ConfigDocument::SchemaJson(), &ConfigDocument::SchemaJson(), spec::PointerTokens(pointer));
}

std::string Annotation(const std::string& pointer, const char* key) {
  const json* node = SchemaAt(pointer);
  if (node == nullptr) return "";
  const json* text = Find(View(node), key);
  return text != nullptr && text->is_string() ? text->get<std::string>() : "";
}

// The keys the mapping at `pointer` declares (its properties and those of its allOf and $ref
// members), in alphabetical order, comma-separated; "" when it declares none.
std::string DeclaredKeys(const std::string& pointer) {
  const json* node = SchemaAt(pointer);
  if (node == nullptr) return "";
  std::set<std::string> keys;
  for (const json* n : View(node)) {
    if (auto props = n->find("properties"); props != n->end() && props->is_object()) {
      for (const auto& [key, value] : props->items()) keys.insert(key);
    }
  }
  std::string out;
  for (const std::string& key : keys) out += (out.empty() ? "" : ", ") + key;
  return out;
}

bool Replaces(const std::string& pointer) {
  const json* node = SchemaAt(pointer);
  if (node == nullptr) return false;
  const json* merge = Find(View(node), "x-merge");
  return merge != nullptr && *merge == "replace";
}

// Converts YAML to JSON, recording where each value was written.
class YamlReader {
 public:
  YamlReader(std::string_view source, std::map<std::string, ConfigDocument::Origin>* origins)
      : source_(source), origins_(origins) {}

  Status Read(const YAML::Node& node, const std::string& pointer, int depth, json* out) {
    if (depth > kMaxDepth || ++nodes_ > kMaxNodes) {
      return Error(node, pointer, "the document is deeper or larger than a config can be (an alias bomb?)");
    }
    ConfigDocument::Origin origin{std::string(source_), Line(node), node.IsScalar(), ""};
    if (node.IsMap()) {
      *out = json::object();
      std::set<std::string> seen;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) return Error(kv.first, pointer, "keys must be plain text");
        const std::string key = kv.first.Scalar();
        const std::string child = pointer + "/" + EscapePointerToken(key);
        // yaml-cpp keeps one of two equal keys silently; a config must not say two things.
        if (!seen.insert(key).second) return Error(kv.first, child, "duplicate key");
        if (kv.second.IsNull()) continue;  // "key:" with nothing after it says nothing
        IMAGINE_RETURN_IF_ERROR(Read(kv.second, child, depth + 1, &(*out)[key]));
      }
    } else if (node.IsSequence()) {
      *out = json::array();
      for (size_t i = 0; i < node.size(); ++i) {
        out->push_back(nullptr);
        IMAGINE_RETURN_IF_ERROR(Read(node[i], pointer + "/" + std::to_string(i), depth + 1, &out->back()));
      }
    } else {
      auto value = spec::YamlToJson(node);
      if (!value.ok()) return Error(node, pointer, value.status().message());
      *out = std::move(value).value();
      origin.text = node.Scalar();
    }
    (*origins_)[pointer] = std::move(origin);
    return Status::Ok();
  }

 private:
  static int Line(const YAML::Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : 0; }
  Status Error(const YAML::Node& node, const std::string& pointer, const std::string& problem) const {
    return InvalidArgument(std::string(source_) + ":" + std::to_string(Line(node)) + ": " + ConfigKeyPath(pointer) +
                           ": " + problem);
  }

  std::string_view source_;
  std::map<std::string, ConfigDocument::Origin>* origins_;
  size_t nodes_ = 0;
};

// Merges `layer` into `base` at `pointer`; `replaced` is told of every place replaced whole.
void Merge(json& base, const json& layer, const std::string& pointer,
           const std::function<void(const std::string&)>& replaced) {
  if (base.is_object() && layer.is_object() && !Replaces(pointer)) {
    for (auto it = layer.begin(); it != layer.end(); ++it) {
      const std::string child = pointer + "/" + EscapePointerToken(it.key());
      if (base.contains(it.key())) {
        Merge(base[it.key()], it.value(), child, replaced);
      } else {
        base[it.key()] = it.value();
        replaced(child);
      }
    }
    replaced(pointer + "#self");
    return;
  }
  base = layer;
  replaced(pointer);
}

// The cross-field checks a schema cannot state: each [min, max] range has min <= max.
std::string FirstBadRange(const json& doc) {
  for (const char* provider : {"apikley", "evolink"}) {
    const json& models = doc.at(provider).at("models");
    for (auto model = models.begin(); model != models.end(); ++model) {
      for (const char* range : {"waiting_s", "queuing_s", "total_s", "complex_prompt"}) {
        const json& timing = model.value().at("timing");
        if (!timing.contains(range)) continue;
        const bool nested = std::string_view(range) == "complex_prompt";
        const json& r = nested ? timing.at(range).at("total_s") : timing.at(range);
        if (r[0].get<double>() > r[1].get<double>()) {
          return std::string("/") + provider + "/models/" + EscapePointerToken(model.key()) + "/timing/" + range +
                 (nested ? "/total_s" : "");
        }
      }
    }
  }
  return "";
}

}  // namespace

std::string ConfigKeyPath(std::string_view pointer) {
  if (pointer.empty()) return "";
  return PointerToFieldPath(pointer);
}

const nlohmann::json& ConfigDocument::SchemaJson() {
  static const json kSchema = [] {
    auto doc = LoadEmbeddedJson("schemas/config.schema.yaml");
    if (!doc.ok()) return json();
    AddProviderKeys(&doc.value(), ProviderNamesInCatalog());
    return std::move(doc).value();
  }();
  return kSchema;
}

StatusOr<std::shared_ptr<const spec::Validator>> ConfigDocument::Schema() {
  static const StatusOr<std::shared_ptr<const spec::Validator>> kCompiled =
      []() -> StatusOr<std::shared_ptr<const spec::Validator>> {
    const json& schema = SchemaJson();
    if (!schema.is_object()) return Internal("schemas/config.schema.yaml is not embedded or not a mapping");
    // Embedded, and compiled whole with its patterns by a unit test: they are compiled when a
    // value first reaches them (the default config reaches none).
    auto compiled = spec::Validator::Compile(schema, schema, {/*defer_patterns=*/true});
    if (!compiled.ok()) return Internal("schemas/config.schema.yaml: " + compiled.status().message());
    return compiled;
  }();
  return kCompiled;
}

StatusOr<std::shared_ptr<const spec::Validator>> ConfigDocument::SchemaFor(const std::string& pointer) {
  const json* node = SchemaAt(pointer);
  if (node == nullptr) return InvalidArgument("the config has no key " + ConfigKeyPath(pointer));
  auto compiled = spec::Validator::Compile(*node, SchemaJson(), {/*defer_patterns=*/true});
  if (!compiled.ok()) return Internal("schemas/config.schema.yaml: " + compiled.status().message());
  return compiled;
}

Status ConfigDocument::CheckValue(const std::string& pointer, const nlohmann::json& value, const std::string& got) {
  auto schema = SchemaFor(pointer);
  if (!schema.ok()) return schema.status();
  std::vector<spec::ValidationError> errors;
  if ((*schema)->Validate(value, &errors)) return Status::Ok();
  std::string text = Annotation(pointer, "x-message");
  if (text.empty()) return InvalidArgument(errors.empty() ? "not valid (got " + got + ")" : errors.front().message);
  if (const size_t slot = text.find("{got}"); slot != std::string::npos) text.replace(slot, 5, got);
  return InvalidArgument(text);
}

Status ConfigDocument::MergeYaml(std::string_view text, std::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(source) + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (!root || root.IsNull()) return Status::Ok();
  json layer;
  std::map<std::string, Origin> origins;
  try {
    IMAGINE_RETURN_IF_ERROR(YamlReader(source, &origins).Read(root, "", 0, &layer));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(source) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  MergeLayer(layer, origins);
  return Status::Ok();
}

void ConfigDocument::MergePreparsedYaml(const nlohmann::json& parsed, std::string_view text, std::string_view source) {
  // What YamlReader makes of the same text: "key:" with nothing after it says nothing, and
  // every value is recorded (its line and text read from `text` when an error needs them).
  json layer = parsed;
  std::map<std::string, Origin> origins;
  std::function<void(json&, const std::string&)> walk = [&](json& node, const std::string& pointer) {
    if (node.is_object()) {
      for (auto it = node.begin(); it != node.end();) {
        if (it->is_null()) {
          it = node.erase(it);
          continue;
        }
        walk(it.value(), pointer + "/" + EscapePointerToken(it.key()));
        ++it;
      }
    } else if (node.is_array()) {
      for (size_t i = 0; i < node.size(); ++i) walk(node[i], pointer + "/" + std::to_string(i));
    }
    origins[pointer] = Origin{std::string(source), 0, !node.is_structured(), "", text};
  };
  if (layer.is_null()) return;
  walk(layer, "");
  MergeLayer(layer, origins);
}

ConfigDocument::Origin ConfigDocument::Resolved(const std::string& pointer, const Origin& origin) {
  if (origin.yaml.empty()) return origin;
  Origin plain = origin;
  plain.yaml = {};
  std::map<std::string, Origin> origins;
  try {
    YAML::Node root = YAML::Load(std::string(origin.yaml));
    json ignored;
    if (!YamlReader(origin.source, &origins).Read(root, "", 0, &ignored).ok()) return plain;
  } catch (const YAML::Exception&) {
    return plain;
  }
  auto it = origins.find(pointer);
  return it == origins.end() ? plain : it->second;
}

void ConfigDocument::MergeLayer(const nlohmann::json& layer, const std::map<std::string, Origin>& origins) {
  Merge(doc_, layer, "", [&](const std::string& pointer) {
    if (pointer.size() > 5 && pointer.compare(pointer.size() - 5, 5, "#self") == 0) {
      const std::string self = pointer.substr(0, pointer.size() - 5);
      if (auto it = origins.find(self); it != origins.end()) origins_[self] = it->second;
      return;
    }
    for (auto it = origins_.lower_bound(pointer); it != origins_.end() && it->first.compare(0, pointer.size(), pointer) == 0;) {
      it = Under(it->first, pointer) ? origins_.erase(it) : std::next(it);
    }
    for (auto it = origins.lower_bound(pointer); it != origins.end() && it->first.compare(0, pointer.size(), pointer) == 0;
         ++it) {
      if (Under(it->first, pointer)) origins_[it->first] = it->second;
    }
  });
}

void ConfigDocument::MergeJson(const nlohmann::json& layer, const Origin& origin) {
  Merge(doc_, layer, "", [&](const std::string& pointer) {
    const std::string at = pointer.size() > 5 && pointer.compare(pointer.size() - 5, 5, "#self") == 0
                               ? pointer.substr(0, pointer.size() - 5)
                               : pointer;
    origins_[at] = origin;
  });
}

std::optional<ConfigDocument::Origin> ConfigDocument::OriginOf(const std::string& pointer) const {
  for (std::string p = pointer;; p = Parent(p)) {
    if (auto it = origins_.find(p); it != origins_.end()) return Resolved(p, it->second);
    if (p.empty()) return std::nullopt;
  }
}

Status ConfigDocument::Describe(const std::string& pointer, const std::string& keyword,
                                const std::string& validator_message, const std::string& value) const {
  std::string at = pointer;
  std::string text;
  auto got = [&](const std::string& p) {
    auto it = origins_.find(p);
    if (it == origins_.end()) return value;
    const Origin origin = Resolved(p, it->second);
    return origin.scalar ? "\"" + origin.text + "\"" : std::string("a non-scalar");
  };
  auto fill = [&](std::string message, const std::string& p) {
    const size_t slot = message.find("{got}");
    if (slot != std::string::npos) message.replace(slot, 5, got(p));
    return message;
  };
  if (keyword == "additionalProperties") {
    // Said from the schema itself (additionalProperties: false and the declared properties).
    const std::string keys = DeclaredKeys(Parent(pointer));
    text = keys.empty() ? validator_message + (value.empty() ? "" : " (got " + value + ")")
                        : "unknown key (expected one of: " + keys + ")";
  } else if (keyword == "required") {
    text = validator_message;
  } else if (std::string own = Annotation(pointer, "x-message"); !own.empty()) {
    text = fill(own, pointer);
  } else if (const json* parent = SchemaAt(Parent(pointer));
             !pointer.empty() && parent != nullptr && Find(View(parent), "items") != nullptr &&
             !Annotation(Parent(pointer), "x-message").empty()) {
    at = Parent(pointer);  // an item of a list that has its own words: say them of the list
    text = fill(Annotation(at, "x-message"), at);
  } else {
    text = validator_message + (value.empty() ? "" : " (got " + value + ")");
  }
  const std::optional<Origin> origin = OriginOf(at);
  std::string where = !origin || origin->source.empty() ? "config" : origin->source;
  if (origin && origin->line > 0) where += ":" + std::to_string(origin->line);
  return InvalidArgument(where + ": " + ConfigKeyPath(at) + ": " + text);
}

StatusOr<nlohmann::json> ConfigDocument::ResolveTrusted() const {
  json doc = doc_;
  const json& schema = SchemaJson();
  if (!schema.is_object() || !spec::ApplySchemaDefaults(schema, schema, doc)) return Resolve();
  if (std::string bad = FirstBadRange(doc); !bad.empty()) return Describe(bad, "range", "", "");
  return doc;
}

bool ConfigDocument::ChecksAlone(const std::string& pointer, bool values_checked_one_by_one) {
  // What a node above a checked key may say: nothing that relates one key to another.
  static const std::set<std::string, std::less<>> kStructural = {
      "type",  "properties", "additionalProperties", "required", "default",
      "title", "description", "$comment",           "$schema",  "$id",     "definitions"};
  const std::vector<std::string> tokens = spec::PointerTokens(pointer);
  const size_t last = values_checked_one_by_one ? tokens.size() : tokens.size() - 1;
  if (tokens.empty()) return false;
  const json& root = SchemaJson();
  for (size_t depth = 0; depth <= last; ++depth) {
    const std::vector<std::string> above(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(depth));
    const json* node = spec::SchemaNodeAt(root, &root, above);
    if (node == nullptr || !node->is_object() || node->contains("$ref")) return false;
    for (auto it = node->begin(); it != node->end(); ++it) {
      const std::string& key = it.key();
      if (key.rfind("x-", 0) == 0 || kStructural.count(key) != 0) continue;
      return false;
    }
    if (node->value("type", json("object")) != "object") return false;
  }
  return true;
}

StatusOr<nlohmann::json> ConfigDocument::Resolve() const {
  auto schema = Schema();
  if (!schema.ok()) return schema.status();
  json doc = doc_;
  std::vector<spec::ValidationError> errors;
  spec::ValidateOptions options;
  options.apply_defaults = true;
  if (!(*schema)->Validate(doc, &errors, options)) {
    if (errors.empty()) return InvalidArgument("config: not valid");
    const spec::ValidationError& e = errors.front();
    return Describe(e.pointer, e.keyword, e.message, e.value);
  }
  if (std::string bad = FirstBadRange(doc); !bad.empty()) return Describe(bad, "range", "", "");
  return doc;
}

}  // namespace imagine
