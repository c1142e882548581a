// Request parameters through the spec: the query parameters an operation declares are read
// from a request, converted from text to their schema's type, validated and defaulted, so
// handlers read typed values instead of parsing strings by hand. Stateless; thread-safe.
//
//   auto params = ReadQueryParameters(*op, [&](std::string_view n) { return req.QueryValue(n); });
//   size_t limit = (*params)["limit"].get<size_t>();   // default 50 when absent
#ifndef IMAGINE_SPEC_PARAMETERS_H_
#define IMAGINE_SPEC_PARAMETERS_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "spec/openapi.h"

namespace imagine {

// A query parameter's text, or nullopt when the request does not carry it.
using QueryLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The declared query parameters of `op` that the request carries or that have a default,
// as {name: typed value}. Text becomes an integer, a number or a boolean when the schema's
// type says so (and stays text when it does not read as one, so the schema refuses it).
// kInvalidArgument with Violation{"/<name>", keyword, value} for a value the schema
// refuses or a required parameter that is missing.
StatusOr<nlohmann::json> ReadQueryParameters(const OpenApiOperation& op, const QueryLookup& query);

}  // namespace imagine

#endif  // IMAGINE_SPEC_PARAMETERS_H_
