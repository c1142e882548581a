// AdminApi: the emulator's control API under /_emulator/ — health, the clock, scenarios
// and rules, outages, key profiles — described by schemas/admin.openapi.yaml and validated by the
// same validator as the provider routes. Handlers only call into the engine; thread-safe.
#ifndef IMAGINE_ADMIN_ADMIN_API_H_
#define IMAGINE_ADMIN_ADMIN_API_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "admin/host_allow_list.h"
#include "admin/metrics.h"
#include "callbacks/callback_dispatcher.h"
#include "engine/engine.h"
#include "engine/journal.h"
#include "http/api_surface.h"
#include "http/self_check.h"
#include "proxy/proxy_surface.h"
#include "state/state_dir.h"

namespace imagine {

// A document GET /_emulator/openapi/{name} serves.
struct ServedDocument {
  std::string name;          // "evolink.yaml", "evolink.json", ...
  std::string content_type;  // "application/yaml" or "application/json"
  std::string body;          // the text served, unless `json` or `embedded` is set
  // When set, the body is this document dumped (2-space indent) at each request for it, so that
  // start-up does not dump documents nobody asks for; it must outlive the API.
  const nlohmann::json* json = nullptr;
  // When set (and `json` is not), the body is this embedded resource's text, which lives as long
  // as the process: start-up copies no document text.
  std::string_view embedded = {};
};

// What the control API is told at start-up (config section `admin:`; a reset restores the
// configured profiles, rules and chaos through Engine::RestoreConfigured).
struct AdminOptions {
  std::string token;                          // "" = open; else routes need "Authorization: Bearer <token>"
  bool protect_health = false;                // the token guards GET health too (probes need it then)
  // GET /_emulator/config's body (secrets already masked), built at each request for it so that
  // start-up does not build it; must outlive the API. Null: {}.
  std::function<nlohmann::ordered_json()> effective_config;
  std::vector<ServedDocument> documents;      // the documents the emulator runs on
  HostAllowList allowed_hosts;                // Host names answered (server.allowed_hosts and the
                                              // public_url's host; loopback and IPs always)
  std::map<std::string, int> provider_ports;  // the bound port of each provider served on one of its own
};

// What the control API reads and steers; every pointer must outlive the API.
struct AdminContext {
  Engine* engine = nullptr;
  const SelfCheck* self_check = nullptr;
  Journal* journal = nullptr;
  Metrics* metrics = nullptr;
  CallbackDispatcher* callbacks = nullptr;
  ProxyHub* proxy = nullptr;  // drift findings and recordings (proxy mode)
  const StateDir* state = nullptr;  // the state directory, if any (health shows it)
};

class AdminApi final : public ApiSurface {
 public:
  static StatusOr<std::unique_ptr<AdminApi>> Create(AdminOptions options, AdminContext context);

  const OpenApiDocument& spec() const override { return *spec_; }
  // Every handler first refuses a Host that is not the emulator's own (403, DNS rebinding;
  // options.allowed_hosts), then checks the admin token, but the dashboard page's (a browser cannot
  // send a header when it opens a page, and the page holds nothing secret; its API calls
  // carry the token) and, unless protect_health, health's (container probes).
  std::map<std::string, Handler> Handlers() override;
  std::string_view name() const override { return "admin"; }
  std::string_view path_prefix() const override { return "/_emulator/"; }
  // {"error": {"code": "<neutral code>", "message": "..."}} with a matching HTTP status.
  ApiResponse RenderError(const Status& status) const override;
  // Every error answer is an Error, whatever its status.
  std::shared_ptr<const spec::Validator> ResponseSchema(std::string_view operation_id,
                                                        const ApiResponse& response) const override {
    if (response.is_error) return spec_->ComponentSchema("Error");
    return ApiSurface::ResponseSchema(operation_id, response);
  }

 private:
  AdminApi(std::shared_ptr<const OpenApiDocument> spec, AdminOptions options, AdminContext context)
      : spec_(std::move(spec)), options_(std::move(options)), ctx_(context), engine_(context.engine) {}

  // OK when the request carries the admin token (or none is set); else kUnauthenticated.
  Status Authorize(const ApiRequest& req) const;

  // Parses and validates the request body of `operation_id` (an empty body is {}); the
  // Status to render on failure.
  StatusOr<nlohmann::json> Body(const ApiRequest& req, std::string_view operation_id) const;
  // The query parameters `operation_id` declares, typed, checked and defaulted by the spec.
  StatusOr<nlohmann::json> Params(const ApiRequest& req, std::string_view operation_id) const;
  ApiResponse KeyAccount(const std::string& key) const;
  // Handler groups, one file each: admin_api.cc, admin_tasks.cc, admin_journal.cc.
  void AddTaskHandlers(std::map<std::string, Handler>* h);
  void AddJournalHandlers(std::map<std::string, Handler>* h);
  void AddProxyHandlers(std::map<std::string, Handler>* h);  // admin_proxy.cc
  void AddOutageHandlers(std::map<std::string, Handler>* h);  // admin_outages.cc

  std::shared_ptr<const OpenApiDocument> spec_;
  const AdminOptions options_;
  const AdminContext ctx_;
  Engine* engine_;
};

// The proxy's metric families (drift findings, upstream failures) for GET metrics.
std::vector<Metrics::Family> ProxyMetricFamilies(const ProxyHub* proxy);

// {status, body} JSON helper shared by the handler files.
ApiResponse AdminJson(int status, const nlohmann::ordered_json& body);

}  // namespace imagine

#endif  // IMAGINE_ADMIN_ADMIN_API_H_
