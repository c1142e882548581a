// Dialect: one provider's face on the engine — its operations, its ids and its words.
// Each provider folder implements this; providers/registry.h lists them in one place.
// Implementations hold only immutable state after construction; thread-safe.
#ifndef IMAGINE_PROVIDERS_DIALECT_H_
#define IMAGINE_PROVIDERS_DIALECT_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/api.h"
#include "common/status.h"
#include "engine/task.h"
#include "spec/openapi.h"

namespace imagine {

class Dialect {
 public:
  virtual ~Dialect() = default;

  virtual Provider provider() const = 0;
  // The provider's OpenAPI document: its paths become the routes, its schemas validate.
  virtual const OpenApiDocument& spec() const = 0;
  // Handlers by operationId; every operation in spec() must have one.
  virtual std::map<std::string, Handler> Handlers() = 0;
  // Paths under this prefix that match no route get this dialect's not-found answer.
  virtual std::string_view path_prefix() const = 0;
  // Renders an engine Status (auth failure, unknown route, body too large, internal
  // error, ...) as this provider's error response.
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

#endif  // IMAGINE_PROVIDERS_DIALECT_H_
