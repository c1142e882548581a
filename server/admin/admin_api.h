// AdminApi: the emulator's control API under /_emulator/ — health, the clock, scenarios
// and rules, key profiles — described by schemas/admin.openapi.yaml and validated by the
// same validator as the provider routes. Handlers only call into the engine; thread-safe.
#ifndef IMAGINE_ADMIN_ADMIN_API_H_
#define IMAGINE_ADMIN_ADMIN_API_H_

#include <memory>

#include "admin/metrics.h"
#include "app/config.h"
#include "callbacks/callback_dispatcher.h"
#include "engine/engine.h"
#include "engine/journal.h"
#include "http/api_surface.h"
#include "http/self_check.h"

namespace imagine {

// What the control API reads and steers; every pointer must outlive the API.
struct AdminContext {
  Engine* engine = nullptr;
  const SelfCheck* self_check = nullptr;
  Journal* journal = nullptr;
  Metrics* metrics = nullptr;
  CallbackDispatcher* callbacks = nullptr;
  const Config* config = nullptr;  // the effective config (reset restores its rules and profiles)
};

class AdminApi final : public ApiSurface {
 public:
  static StatusOr<std::unique_ptr<AdminApi>> Create(AdminContext context);

  const OpenApiDocument& spec() const override { return *spec_; }
  std::map<std::string, Handler> Handlers() override;
  RouteAuth auth() const override { return RouteAuth::kAdminToken; }
  // A browser cannot send a header when it opens a page: the dashboard page itself (which
  // holds nothing secret) is open; its API calls carry the token (?token=...).
  RouteAuth AuthFor(std::string_view operation_id) const override {
    return operation_id == "getDashboard" ? RouteAuth::kNone : auth();
  }
  std::string_view path_prefix() const override { return "/_emulator/"; }
  // {"error": {"code": "<neutral code>", "message": "..."}} with a matching HTTP status.
  ApiResponse RenderError(const Status& status) const override;
  // Every error answer is an Error, whatever its status.
  std::shared_ptr<const spec::Validator> ResponseSchema(std::string_view operation_id,
                                                        const ApiResponse& response) const override {
    if (response.status >= 400) return spec_->ComponentSchema("Error");
    return ApiSurface::ResponseSchema(operation_id, response);
  }

 private:
  AdminApi(std::shared_ptr<const OpenApiDocument> spec, AdminContext context)
      : spec_(std::move(spec)), ctx_(context), engine_(context.engine) {}

  // Parses and validates the request body of `operation_id` (an empty body is {}); the
  // Status to render on failure.
  StatusOr<nlohmann::json> Body(const ApiRequest& req, std::string_view operation_id) const;
  ApiResponse KeyAccount(const std::string& key) const;
  // Handler groups, one file each: admin_api.cc, admin_tasks.cc, admin_journal.cc.
  void AddTaskHandlers(std::map<std::string, Handler>* h);
  void AddJournalHandlers(std::map<std::string, Handler>* h);

  std::shared_ptr<const OpenApiDocument> spec_;
  const AdminContext ctx_;
  Engine* engine_;
};

// {status, body} JSON helper shared by the handler files.
ApiResponse AdminJson(int status, const nlohmann::ordered_json& body);

}  // namespace imagine

#endif  // IMAGINE_ADMIN_ADMIN_API_H_
