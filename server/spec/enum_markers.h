// Enums a schema cannot list because the values are known only at start-up: a node marked
// `x-enum: <list name>` gets `enum: <values>` (e.g. `x-enum: providers`, the providers this
// build serves). Used on the config schema and the control-API document before they are
// compiled.
#ifndef IMAGINE_SPEC_ENUM_MARKERS_H_
#define IMAGINE_SPEC_ENUM_MARKERS_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace imagine::spec {

// Sets `enum` on every node (at any depth) whose `x-enum` is `list`; returns how many.
size_t FillEnumMarkers(nlohmann::json* document, std::string_view list, const std::vector<std::string>& values);

// The same for several lists in one walk of the document: `lists` maps a list name to its values.
size_t FillEnumMarkers(nlohmann::json* document,
                       const std::map<std::string, std::vector<std::string>, std::less<>>& lists);

}  // namespace imagine::spec

#endif  // IMAGINE_SPEC_ENUM_MARKERS_H_
