// ApiSurface: one OpenAPI-described API served by the emulator — a provider or the
// admin API. Its document's paths become routes, bound to its handlers by operationId;
// its handlers authenticate their callers themselves; it renders errors in its own
// envelope. Implementations are immutable after construction and thread-safe.
#ifndef IMAGINE_HTTP_API_SURFACE_H_
#define IMAGINE_HTTP_API_SURFACE_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/api.h"
#include "common/status.h"
#include "spec/openapi.h"

namespace imagine {

class ApiSurface {
 public:
  virtual ~ApiSurface() = default;

  // The OpenAPI document: its paths become the routes, its schemas validate.
  virtual const OpenApiDocument& spec() const = 0;
  // Handlers by operationId; every operation in spec() must have one.
  virtual std::map<std::string, Handler> Handlers() = 0;
  // What metrics, logs and the journal call it: "apikley", "evolink", "admin".
  virtual std::string_view name() const = 0;
  // Paths under this prefix that match no route get this surface's not-found answer.
  virtual std::string_view path_prefix() const = 0;
  // Where its routes are mounted: each base ("" = the root, "/xai" = under /xai) is put
  // before every path of spec() (and before path_prefix()). A provider is served under
  // /<its name> and, unless another provider has its paths, at the root too.
  virtual std::vector<std::string> MountBases() const { return {""}; }
  // Renders an engine Status (auth failure, unknown route, body too large, internal
  // error, ...) in this surface's envelope.
  virtual ApiResponse RenderError(const Status& status) const = 0;

  // The schema a response of `operation_id` must satisfy (used by --self-check and the
  // tests): by default the operation's response for the HTTP status; null when the spec
  // declares none.
  virtual std::shared_ptr<const spec::Validator> ResponseSchema(std::string_view operation_id,
                                                                const ApiResponse& response) const {
    const OpenApiOperation* op = spec().Find(operation_id);
    if (op == nullptr) return nullptr;
    auto it = op->responses.find(std::to_string(response.status));
    return it == op->responses.end() ? nullptr : it->second;
  }
};

}  // namespace imagine

#endif  // IMAGINE_HTTP_API_SURFACE_H_
