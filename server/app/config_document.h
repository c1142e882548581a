// ConfigDocument: the configuration as one JSON document checked against
// schemas/config.schema.yaml, built from layers (the embedded default, a --config file,
// IMAGINE_EMU_* variables and flags) that remember where each value came from, so that an
// error names the file, the line and the key: "<file>:<line>: <key.path>: <problem>".
// The schema gives every key's type, bounds and default, and the words of its errors
// (x-message; an unknown key's message lists the mapping's declared keys); the few checks a schema cannot state (a range's
// min <= max) are in CheckCrossField(). Not thread-safe; used at start-up only.
//
//   ConfigDocument doc;
//   IMAGINE_RETURN_IF_ERROR(doc.MergeYaml(text, "my.yaml"));
//   auto json = doc.Resolve();   // defaults applied, checked
#ifndef IMAGINE_APP_CONFIG_DOCUMENT_H_
#define IMAGINE_APP_CONFIG_DOCUMENT_H_

#include <map>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "spec/json_schema.h"

namespace imagine {

class ConfigDocument {
 public:
  // Where a value came from.
  struct Origin {
    std::string source;  // file name, "--flag", "IMAGINE_EMU_*", or "" for a base document
    int line = 0;        // 1-based; 0 when the source has no lines
    bool scalar = true;  // false for a mapping or a list
    std::string text;    // a scalar as written
    // When not empty, `line` and `text` are still to be read from this YAML (the layer's whole
    // text, which outlives the document): see MergePreparsedYaml.
    std::string_view yaml = {};
  };

  // The config schema, compiled once (kInternal when it is not embedded or not valid).
  static StatusOr<std::shared_ptr<const spec::Validator>> Schema();
  static const nlohmann::json& SchemaJson();
  // The part of the schema that describes the value at `pointer` (e.g. "/server/port"),
  // compiled; kInvalidArgument when the schema has no such key.
  static StatusOr<std::shared_ptr<const spec::Validator>> SchemaFor(const std::string& pointer);
  // Checks `value` against the schema of the key at `pointer` alone. kInvalidArgument with just
  // the problem in the key's own words (x-message, {got} = `got`; else the validator's) when it
  // does not satisfy it; kInvalidArgument/kInternal as SchemaFor when there is no such key.
  static Status CheckValue(const std::string& pointer, const nlohmann::json& value, const std::string& got);

  // Merges a YAML document on top: mappings merge key by key, other values (and mappings
  // the schema marks x-merge: replace) replace. kInvalidArgument
  // "<source>:<line>: <key>: <problem>" on invalid YAML, a duplicate key, a non-string key,
  // or a document too deep or too large (an alias bomb).
  Status MergeYaml(std::string_view text, std::string_view source);
  // Merges an embedded YAML document given in its pre-parsed form (`parsed`, as
  // spec::ParseYamlDocument makes it; common/resources.h FindPreparsed) exactly as
  // MergeYaml(text, source) would, except that the line and the text of each value are read
  // from `text` (which must outlive this document) only when an error names them: start-up
  // does not run yaml-cpp on the embedded default config.
  void MergePreparsedYaml(const nlohmann::json& parsed, std::string_view text, std::string_view source);
  // Merges a JSON document on top, every value credited to `origin`.
  void MergeJson(const nlohmann::json& layer, const Origin& origin);

  // The whole document with the schema's defaults applied, once it satisfies the schema
  // and the cross-field checks; else kInvalidArgument naming the source, line and key.
  StatusOr<nlohmann::json> Resolve() const;
  // Resolve() for a document known to satisfy the schema, made only of layers that a unit test
  // checks (the embedded default config) or whose values were each checked against their key's
  // schema where ChecksAlone() holds: the defaults are applied from the schema's JSON
  // (spec/schema_defaults.h) and the cross-field checks made, without compiling the schema
  // (most of start-up's config reading). Falls back to Resolve() when the defaults cannot be
  // applied that way.
  StatusOr<nlohmann::json> ResolveTrusted() const;

  // True when a value that satisfies the schema of the key at `pointer` (CheckValue), written
  // over a document that satisfies the whole schema, leaves it satisfying it: every schema node
  // above the key (and the key's own, with `values_checked_one_by_one`, for a mapping whose
  // values CheckValue saw each at <pointer>/<name>) only declares properties, their types and
  // defaults and words (no allOf, anyOf, oneOf, not, enum, const or bounds relating keys).
  static bool ChecksAlone(const std::string& pointer, bool values_checked_one_by_one);

 private:
  Status Describe(const std::string& pointer, const std::string& keyword, const std::string& validator_message,
                  const std::string& value) const;
  // Merges `layer`, whose values came from where `origins` says (pointer -> origin).
  void MergeLayer(const nlohmann::json& layer, const std::map<std::string, Origin>& origins);
  // The pointer's origin, or its nearest ancestor's; nullopt when none. Resolved (see Origin::yaml).
  std::optional<Origin> OriginOf(const std::string& pointer) const;
  // `origin` (recorded at `pointer`) with its line and text read from its YAML when still to be.
  static Origin Resolved(const std::string& pointer, const Origin& origin);

  nlohmann::json doc_ = nlohmann::json::object();
  std::map<std::string, Origin> origins_;  // JSON pointer -> where the value came from
};

// "/a/b/0/c" -> "a.b[0].c"; "" -> "" (config keys, as errors name them).
std::string ConfigKeyPath(std::string_view pointer);

}  // namespace imagine

#endif  // IMAGINE_APP_CONFIG_DOCUMENT_H_
