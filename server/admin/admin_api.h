// AdminApi: the emulator's control API under /_emulator/ — health, the clock, scenarios
// and rules, key profiles — described by schemas/admin.openapi.yaml and validated by the
// same validator as the provider routes. Handlers only call into the engine; thread-safe.
#ifndef IMAGINE_ADMIN_ADMIN_API_H_
#define IMAGINE_ADMIN_ADMIN_API_H_

#include <memory>

#include "engine/engine.h"
#include "http/api_surface.h"
#include "http/self_check.h"

namespace imagine {

class AdminApi final : public ApiSurface {
 public:
  // `engine` and `self_check` must outlive the API.
  static StatusOr<std::unique_ptr<AdminApi>> Create(Engine* engine, const SelfCheck* self_check);

  const OpenApiDocument& spec() const override { return *spec_; }
  std::map<std::string, Handler> Handlers() override;
  RouteAuth auth() const override { return RouteAuth::kAdminToken; }
  std::string_view path_prefix() const override { return "/_emulator/"; }
  // {"error": {"code": "<neutral code>", "message": "..."}} with a matching HTTP status.
  ApiResponse RenderError(const Status& status) const override;

 private:
  AdminApi(std::shared_ptr<const OpenApiDocument> spec, Engine* engine, const SelfCheck* self_check)
      : spec_(std::move(spec)), engine_(engine), self_check_(self_check) {}

  // Parses and validates the request body of `operation_id`; the Status to render on failure.
  StatusOr<nlohmann::json> Body(const ApiRequest& req, std::string_view operation_id) const;
  ApiResponse KeyAccount(const std::string& key) const;

  std::shared_ptr<const OpenApiDocument> spec_;
  Engine* engine_;
  const SelfCheck* self_check_;
};

}  // namespace imagine

#endif  // IMAGINE_ADMIN_ADMIN_API_H_
