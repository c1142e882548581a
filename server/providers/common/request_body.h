// What every provider does to a request body before its own rules run: parse the JSON
// defensively, validate it against an OpenAPI schema, and phrase a validation failure as
// "<field path>: <what is wrong> (got <value>)". Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_COMMON_REQUEST_BODY_H_
#define IMAGINE_PROVIDERS_COMMON_REQUEST_BODY_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/text.h"
#include "spec/json_schema.h"

namespace imagine {

// How strictly request bodies are checked (config section `validation:`).
struct RequestValidation {
  int max_depth = 64;   // deepest allowed nesting of arrays/objects
  bool strict = false;  // refuse fields the schema does not declare (real services ignore them)
};

// Parses a request body that must be a JSON object. kInvalidArgument with rule:
//   content_type (not application/json), body_empty, utf8 (invalid UTF-8), depth (nesting
//   deeper than limits.max_depth), json (syntax error, a NUL byte or bytes after the value;
//   message says where), type (not an object), maximum (a number no double holds, e.g. 1e400,
//   with the field's pointer).
StatusOr<nlohmann::json> ParseJsonObjectBody(std::string_view body, std::string_view content_type,
                                             const RequestValidation& limits);

// "<field path>: <message> (got <value>)" for a Status with a violation; just the
// message for one without a pointer.
std::string DescribeViolation(const Status& status);

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_COMMON_REQUEST_BODY_H_
