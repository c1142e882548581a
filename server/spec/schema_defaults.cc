#include "spec/schema_defaults.h"

#include <unordered_map>

#include "spec/json_schema.h"

namespace imagine::spec {
namespace {

using json = nlohmann::json;

// The schema and the $refs already followed in it (a $ref node -> its target, null when it has none).
struct Walk {
  const json& root;
  std::unordered_map<const json*, const json*> targets;
};

// `schema` with its $refs followed (a $ref's siblings are ignored, as the compiler does); null
// when a $ref is not a local JSON pointer without %-escapes, or does not resolve.
const json* Deref(Walk& walk, const json* schema) {
  for (int hops = 0; hops < 64 && schema->is_object(); ++hops) {
    auto ref = schema->find("$ref");
    if (ref == schema->end()) return schema;
    auto [known, fresh] = walk.targets.emplace(schema, nullptr);
    if (fresh) {
      if (!ref->is_string()) return nullptr;
      const std::string& text = ref->get_ref<const std::string&>();
      if (text.empty() || text[0] != '#' || text.find('%') != std::string::npos) return nullptr;
      try {
        known->second = &walk.root.at(json::json_pointer(text.substr(1)));
      } catch (const json::exception&) {
        return nullptr;
      }
    }
    if (known->second == nullptr) return nullptr;
    schema = known->second;
  }
  return schema->is_object() || schema->is_boolean() ? schema : nullptr;
}

bool Apply(Walk& walk, const json* schema, json& instance, int depth) {
  schema = Deref(walk, schema);
  if (schema == nullptr) return false;
  if (!schema->is_object() || depth > Validator::kMaxInstanceDepth) return true;  // true/false: no defaults
  const auto props = schema->find("properties");
  const bool has_props = props != schema->end() && props->is_object();
  if (instance.is_object()) {
    if (has_props) {
      for (auto p = props->begin(); p != props->end(); ++p) {
        const json* child = Deref(walk, &p.value());
        if (child == nullptr) return false;
        auto it = instance.find(p.key());
        if (it == instance.end()) {
          if (!child->is_object()) continue;
          auto stated = child->find("default");
          if (stated == child->end()) continue;
          it = instance.emplace(p.key(), *stated).first;
        }
        if (!Apply(walk, child, it.value(), depth + 1)) return false;
      }
    }
    if (auto extra = schema->find("additionalProperties"); extra != schema->end() && extra->is_object()) {
      for (auto it = instance.begin(); it != instance.end(); ++it) {
        if (has_props && props->contains(it.key())) continue;
        if (!Apply(walk, &*extra, it.value(), depth + 1)) return false;
      }
    }
  } else if (instance.is_array()) {
    if (auto items = schema->find("items"); items != schema->end()) {
      for (size_t i = 0; i < instance.size(); ++i) {
        if (items->is_array()) {
          if (i < items->size() && !Apply(walk, &(*items)[i], instance[i], depth + 1)) return false;
        } else if (!Apply(walk, &*items, instance[i], depth + 1)) {
          return false;
        }
      }
    }
  }
  if (auto all = schema->find("allOf"); all != schema->end() && all->is_array()) {
    for (const json& branch : *all) {
      if (!Apply(walk, &branch, instance, depth)) return false;
    }
  }
  return true;
}

}  // namespace

bool ApplySchemaDefaults(const json& root, const json& schema, json& instance) {
  Walk walk{root, {}};
  return Apply(walk, &schema, instance, 0);
}

}  // namespace imagine::spec
