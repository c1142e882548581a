// Reading a JSON Schema document by the place an instance value sits at: which schema node
// describes /a/b/0, and what that node says once its $ref and allOf members are followed.
// Used to find a key's own words (x-message, description, x-merge) for error messages and
// merging, by the config reader and the state-record checker. Pure functions.
#ifndef IMAGINE_SPEC_SCHEMA_NAVIGATION_H_
#define IMAGINE_SPEC_SCHEMA_NAVIGATION_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace imagine::spec {

// "/a/b~1c" -> {"a", "b/c"}; "" -> {}.
std::vector<std::string> PointerTokens(std::string_view pointer);

// The schema nodes that together describe one place: `node`, then what its $ref (into
// `root`) and allOf members resolve to, depth first; at most 16.
std::vector<const nlohmann::json*> SchemaView(const nlohmann::json& root, const nlohmann::json* node);

// The first node of `view` that has `key`: that value, or null.
const nlohmann::json* FindInView(const std::vector<const nlohmann::json*>& view, const char* key);

// The node under `schema` that describes the instance at `tokens` (properties, then a tuple's
// position or an array's items, then additionalProperties), or null.
const nlohmann::json* SchemaNodeAt(const nlohmann::json& root, const nlohmann::json* schema,
                                   const std::vector<std::string>& tokens);

}  // namespace imagine::spec

#endif  // IMAGINE_SPEC_SCHEMA_NAVIGATION_H_
