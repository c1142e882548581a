// Drift checks: what proxy mode compares each exchange with — the client's request, the
// upstream's answer and the provider's callback — against the provider's OpenAPI document
// in schemas/. Each disagreement is one DriftObservation; the DriftLog deduplicates them
// into findings. Pure functions over immutable documents; thread-safe.
#ifndef IMAGINE_PROXY_DRIFT_CHECK_H_
#define IMAGINE_PROXY_DRIFT_CHECK_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/api.h"
#include "providers/common/request_body.h"
#include "http/api_surface.h"
#include "spec/openapi.h"

namespace imagine {

// One disagreement between an exchange and the document.
struct DriftObservation {
  std::string pointer;   // JSON pointer into the body ("" = the whole answer; "/query/taskId" for a parameter)
  std::string rule;      // the failing schema keyword ("type", "enum", "required", "additionalProperties",
                         // ...) or "status" (an HTTP status the operation does not declare), "json" (not JSON)
  std::string expected;  // what the document says, e.g. "must be one of: pending, processing, completed, failed"
  std::string seen;      // the value as compact JSON (cut to 100 characters), "(absent)" for a missing field
};

// The client's request to `op`: its required query parameters, and for an operation with a
// JSON body the envelope schema and the model's own schema, every error (the same checks the
// emulator refuses a request for, without the cross-field rules, which need the emulator's
// own tasks). `limits` are the emulator's validation settings (strict, max depth).
std::vector<DriftObservation> CheckClientRequest(const OpenApiOperation& op, const ApiRequest& request,
                                                 const RequestValidation& limits);

// The upstream's answer to `op` through `surface` (a provider): the HTTP status is one the
// operation declares; the body is JSON; it satisfies the schema for its status with every
// error reported and fields the schema does not declare counted as drift. A 2xx answer that
// fails the success schema but is the provider's error envelope (its document's error_schema,
// e.g. Apikley's body `code` errors sent with HTTP 200) is an error answer, not drift.
std::vector<DriftObservation> CheckUpstreamAnswer(const ApiSurface& surface, const OpenApiOperation& op, int status,
                                                  std::string_view content_type, std::string_view body);

// The schema of the callback the provider posts for `create` (the operation's OpenAPI
// `callbacks`, the first one's POST body), or null when the document declares none.
std::shared_ptr<const spec::Validator> CallbackSchema(const OpenApiDocument& document, const OpenApiOperation& create);

// A callback body against `schema`, as CheckUpstreamAnswer checks a body.
std::vector<DriftObservation> CheckCallbackBody(const spec::Validator& schema, std::string_view body);

}  // namespace imagine

#endif  // IMAGINE_PROXY_DRIFT_CHECK_H_
