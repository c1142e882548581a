// YAML-to-JSON conversion with YAML 1.2 core-schema typing, for the spec, config and fixture
// loaders (schemas/*.yaml, fixtures/*.yaml). yaml-cpp types nothing itself, so plain scalars
// are resolved here: null/~/empty -> null, true/false -> bool, ints, floats, else string.
// Stateless free functions; safe to call from any thread.
#ifndef IMAGINE_SPEC_YAML_JSON_H_
#define IMAGINE_SPEC_YAML_JSON_H_

#include <string_view>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "common/status.h"

namespace imagine::spec {

// Aliases (*a) expand to a copy of the anchored value; a document nesting deeper than this
// (e.g. an alias cycle, which yaml-cpp can build) is rejected.
inline constexpr int kMaxYamlDepth = 512;
// Upper bound on converted nodes, which stops alias "billion laughs" expansion.
inline constexpr size_t kMaxYamlNodes = 10'000'000;

// Converts a parsed YAML node to JSON.
//  - Plain scalars (yaml-cpp tag "?"): YAML 1.2 core schema: null, Null, NULL, ~ and empty ->
//    null; true/True/TRUE/false/False/FALSE -> bool; [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+ ->
//    integer (a decimal beyond 64 bits becomes a float); [-+]?(.N|N[.N])([eE][-+]?N)?,
//    [-+]?.inf/.Inf/.INF, .nan/.NaN/.NAN -> number; anything else -> string.
//  - Quoted and block scalars (tag "!") are always strings.
//  - Explicit core tags !!str !!null !!bool !!int !!float !!seq !!map are honoured (a value
//    that does not fit its tag is an error); any other tag -> kInvalidArgument.
//  - Mapping keys are always strings (their text; a null key becomes "null"); a non-scalar or
//    duplicate key -> kInvalidArgument naming its line:column. Merge keys ("<<") are plain
//    keys: YAML 1.2 has none and yaml-cpp 0.7 does not expand them.
// Never throws.
StatusOr<nlohmann::json> YamlToJson(const YAML::Node& node);

// Parses the first YAML document in `text` and converts it as YamlToJson does; an empty text is
// null. A syntax error returns kInvalidArgument "<source_name>:<line>:<column>: <yaml-cpp
// message>" with 1-based line and column; conversion errors are prefixed "<source_name>:".
StatusOr<nlohmann::json> ParseYamlDocument(std::string_view text, std::string_view source_name);
// The same with each mapping's keys in the order the YAML lists them (ParseYamlDocument's
// mappings are sorted by key); what tools/preparse_yaml.cc embeds.
StatusOr<nlohmann::ordered_json> ParseOrderedYamlDocument(std::string_view text, std::string_view source_name);

}  // namespace imagine::spec

#endif  // IMAGINE_SPEC_YAML_JSON_H_
