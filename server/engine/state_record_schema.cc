#include "engine/state_record_schema.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/text.h"
#include "spec/embedded_documents.h"
#include "spec/json_schema.h"
#include "spec/schema_navigation.h"

namespace imagine {
namespace {

using json = nlohmann::json;
using CompiledValidator = std::shared_ptr<const spec::Validator>;

constexpr std::string_view kRecordSuffix = "_record";

// One place where format version 1 wrote a positional array (x-legacy).
struct LegacyForm {
  std::vector<std::string> path;  // instance pointer tokens; "*" = every item of an array
  const json* definition = nullptr;
  CompiledValidator validator;
};

struct KindFormat {
  const json* schema = nullptr;  // definitions/<kind>_record
  CompiledValidator validator;
  std::vector<LegacyForm> legacy;
};

// The document, compiled in place once (the nodes above point into `document`).
struct CompiledSchema {
  CompiledSchema() { status = Build(); }
  Status Build();
  StatusOr<CompiledValidator> Compile(const json& node, const std::string& where) const;
  // One entry of record `name`'s x-legacy: `pointer` -> the definition named `target`.
  Status AddLegacy(const std::string& name, const std::string& pointer, const json& target, KindFormat* kind) const;

  Status status;
  json document;  // config.schema.yaml bundled in
  std::map<std::string, KindFormat, std::less<>> kinds;
};

const CompiledSchema& Schema() {
  static const CompiledSchema kSchema;
  return kSchema;
}

StatusOr<CompiledValidator> CompiledSchema::Compile(const json& node, const std::string& where) const {
  auto compiled = spec::Validator::Compile(node, document);
  if (!compiled.ok()) return Internal(std::string(kStateRecordSchema) + ": " + where + ": " + compiled.status().message());
  return std::move(compiled).value();
}

Status CompiledSchema::AddLegacy(const std::string& name, const std::string& pointer, const json& target,
                                 KindFormat* kind) const {
  const json& definitions = document.at("definitions");
  const auto definition = target.is_string() ? definitions.find(target.get<std::string>()) : definitions.end();
  if (definition == definitions.end() || !(definition->contains("x-fields") || definition->value("x-pairs", false))) {
    return Internal(std::string(kStateRecordSchema) + ": " + name + ": x-legacy " + pointer +
                    " names no definition with x-fields or x-pairs");
  }
  auto compiled = Compile(*definition, target.get<std::string>());
  if (!compiled.ok()) return compiled.status();
  kind->legacy.push_back({spec::PointerTokens(pointer), &*definition, std::move(compiled).value()});
  return Status::Ok();
}

Status CompiledSchema::Build() {
  auto loaded = LoadEmbeddedSchema(kStateRecordSchema);
  if (!loaded.ok()) return Internal(loaded.status().message());
  document = std::move(loaded).value();
  const auto definitions = document.find("definitions");
  if (definitions == document.end() || !definitions->is_object()) {
    return Internal(std::string(kStateRecordSchema) + ": no definitions");
  }
  for (const auto& [name, schema] : definitions->items()) {
    const size_t suffix = name.size() - std::min(name.size(), kRecordSuffix.size());
    if (suffix == 0 || name.compare(suffix, std::string::npos, kRecordSuffix) != 0) continue;
    KindFormat kind;
    kind.schema = &schema;
    auto compiled = Compile(schema, name);
    if (!compiled.ok()) return compiled.status();
    kind.validator = std::move(compiled).value();
    if (const auto legacy = schema.find("x-legacy"); legacy != schema.end()) {
      for (const auto& [pointer, target] : legacy->items()) {
        IMAGINE_RETURN_IF_ERROR(AddLegacy(name, pointer, target, &kind));
      }
    }
    kinds.emplace(name.substr(0, suffix), std::move(kind));
  }
  return Status::Ok();
}

// `e` (found checking the instance at `base` against `schema`) in the record's words.
Status Describe(std::string_view kind, const json& root, const json* schema, const std::string& base,
                const spec::ValidationError& e) {
  std::string what = e.message;
  if (e.keyword == "required") {
    what = "a required field is missing";
  } else if (e.keyword == "additionalProperties") {
    what = "an unknown field";
  } else if (const json* node = spec::SchemaNodeAt(root, schema, spec::PointerTokens(e.pointer)); node != nullptr) {
    const json* own = spec::FindInView(spec::SchemaView(root, node), "x-message");
    if (own != nullptr && own->is_string()) what = own->get<std::string>();
  }
  const std::string pointer = base + e.pointer;
  std::string detail = "field " + (pointer.empty() ? std::string("t") : PointerToFieldPath(pointer)) + ", rule " + e.keyword;
  if (!e.value.empty()) detail += ", got " + e.value;
  return InvalidArgument(std::string(kind) + ": " + what + " (" + detail + ")", Violation{pointer, e.keyword, e.value});
}

// Whether `node` holds an array at `path` (from token `i`).
bool HoldsArrayAt(const json& node, const std::vector<std::string>& path, size_t i) {
  if (i == path.size()) return node.is_array();
  if (path[i] == "*") {
    if (!node.is_array()) return false;
    for (const json& item : node) {
      if (HoldsArrayAt(item, path, i + 1)) return true;
    }
    return false;
  }
  if (!node.is_object()) return false;
  const auto it = node.find(path[i]);
  return it != node.end() && HoldsArrayAt(*it, path, i + 1);
}

// The current object for a positional array its legacy definition has accepted.
json FromPositions(const json& definition, const json& array) {
  json out = json::object();
  if (definition.value("x-pairs", false)) {
    for (const json& pair : array) out[pair[0].get<std::string>()] = pair[1];
    return out;
  }
  const json& names = definition.at("x-fields");
  for (size_t i = 0; i < array.size() && i < names.size(); ++i) out[names[i].get<std::string>()] = array[i];
  return out;
}

// Converts each array at `form`'s path (from token `i`, at instance pointer `at`) in `node`.
Status Convert(std::string_view kind, const json& root, const LegacyForm& form, json& node, size_t i,
               const std::string& at) {
  if (i == form.path.size()) {
    if (!node.is_array()) return Status::Ok();  // the current form
    std::vector<spec::ValidationError> errors;
    if (!form.validator->Validate(std::as_const(node), &errors)) {
      if (errors.empty()) return InvalidArgument(std::string(kind) + ": not valid (field " + PointerToFieldPath(at) + ")");
      return Describe(kind, root, form.definition, at, errors.front());
    }
    node = FromPositions(*form.definition, node);
    return Status::Ok();
  }
  if (form.path[i] == "*") {
    if (!node.is_array()) return Status::Ok();
    for (size_t k = 0; k < node.size(); ++k) {
      IMAGINE_RETURN_IF_ERROR(Convert(kind, root, form, node[k], i + 1, at + "/" + std::to_string(k)));
    }
    return Status::Ok();
  }
  if (!node.is_object()) return Status::Ok();
  const auto it = node.find(form.path[i]);
  if (it == node.end()) return Status::Ok();
  return Convert(kind, root, form, *it, i + 1, at + "/" + EscapePointerToken(form.path[i]));
}

}  // namespace

StatusOr<bool> UpgradeStateRecord(std::string_view kind, const nlohmann::json& record, nlohmann::json* upgraded) {
  const CompiledSchema& schema = Schema();
  if (!schema.status.ok()) return schema.status;
  const auto format = schema.kinds.find(kind);
  if (format == schema.kinds.end()) return false;
  bool legacy = false;
  for (const LegacyForm& form : format->second.legacy) legacy = legacy || HoldsArrayAt(record, form.path, 0);
  if (!legacy) return false;
  *upgraded = record;
  for (const LegacyForm& form : format->second.legacy) {
    IMAGINE_RETURN_IF_ERROR(Convert(kind, schema.document, form, *upgraded, 0, ""));
  }
  return true;
}

Status CheckStateRecord(std::string_view kind, const nlohmann::json& record) {
  const CompiledSchema& schema = Schema();
  if (!schema.status.ok()) return schema.status;
  const auto format = schema.kinds.find(kind);
  if (format == schema.kinds.end()) return InvalidArgument("unknown record kind \"" + std::string(kind) + "\"");
  std::vector<spec::ValidationError> errors;
  if (format->second.validator->Validate(record, &errors)) return Status::Ok();
  if (errors.empty()) return InvalidArgument(std::string(kind) + ": not valid");
  return Describe(kind, schema.document, format->second.schema, "", errors.front());
}

}  // namespace imagine
