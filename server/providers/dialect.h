// Dialect: one provider's face on the engine — its operations, its ids and its words.
// Each provider folder implements this; providers/registry.h lists them in one place.
// Implementations hold only immutable state after construction; thread-safe.
#ifndef IMAGINE_PROVIDERS_DIALECT_H_
#define IMAGINE_PROVIDERS_DIALECT_H_

#include "engine/task.h"
#include "http/api_surface.h"

namespace imagine {

class Dialect : public ApiSurface {
 public:
  virtual Provider provider() const = 0;
  RouteAuth auth() const override { return RouteAuth::kProviderKey; }
  // The body POSTed to the task's callback URL when it has just become terminal.
  virtual std::string CallbackBody(const Task& task, int64_t now_ms) const = 0;
};

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_DIALECT_H_
