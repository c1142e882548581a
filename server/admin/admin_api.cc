#include "admin/admin_api.h"

#include <cmath>
#include <optional>

#include "admin/admin_spec.h"
#include "providers/provider_catalog.h"
#include "spec/parameters.h"
#include "engine/accounts_json.h"
#include "engine/scenarios_json.h"
#include "common/json_number.h"
#include "common/text.h"
#include "providers/common/request_body.h"

namespace imagine {
namespace {

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kFailedPrecondition: return 409;
    case Code::kPayloadTooLarge: return 413;
    case Code::kResourceExhausted: return 429;
    case Code::kUnimplemented: return 501;
    case Code::kUnavailable: return 503;
    default: return 500;
  }
}

const char* StageName(unsigned bit) {
  switch (bit) {
    case kStageCreate: return "create";
    case kStageQuery: return "query";
    case kStageLifecycle: return "lifecycle";
    default: return "download";
  }
}

ApiResponse Json(int status, const nlohmann::ordered_json& body) { return AdminJson(status, body); }

ApiResponse GuardError(int status, const char* code, const std::string& message) {
  nlohmann::ordered_json body;
  body["error"] = {{"code", code}, {"message", message}};
  ApiResponse r = AdminJson(status, body);
  r.is_error = true;
  return r;
}

bool IsWrite(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

// The media type of a Content-Type value, without parameters or surrounding blanks.
std::string_view MediaType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && (content_type.back() == ' ' || content_type.back() == '\t')) content_type.remove_suffix(1);
  while (!content_type.empty() && (content_type.front() == ' ' || content_type.front() == '\t')) content_type.remove_prefix(1);
  return content_type;
}

// Cross-site request forgery: a page on any origin can make the developer's browser POST
// to the emulator on localhost, with a "simple" Content-Type (text/plain, a form) and no
// preflight. Browsers always name the page's origin in Origin on such requests, and
// cannot send application/json cross-origin without a CORS preflight (which the emulator
// never grants). So a write must carry application/json (bodiless DELETEs excepted: a
// cross-origin DELETE always needs that preflight), and an Origin, when present, must be
// the emulator's own (scheme://Host). Non-browser clients (curl, SDKs) send no Origin.
std::optional<ApiResponse> WriteGuard(const ApiRequest& req) {
  if (!IsWrite(req.method)) return std::nullopt;
  const std::string_view origin = req.Header("Origin");
  if (!origin.empty()) {
    const std::string_view host = req.Header("Host");
    const bool own = !host.empty() && (EqualsNoCase(origin, "http://" + std::string(host)) ||
                                       EqualsNoCase(origin, "https://" + std::string(host)));
    if (!own) {
      return GuardError(403, "permission_denied",
                        "cross-origin write refused: Origin " + std::string(origin.substr(0, 200)) +
                            " is not this emulator's (" + (host.empty() ? std::string("no Host") : "http://" + std::string(host)) +
                            ")");
    }
  }
  const bool needs_json = req.method != "DELETE" || !req.body.empty();
  if (needs_json && !EqualsNoCase(MediaType(req.Header("Content-Type")), "application/json")) {
    const std::string_view got = req.Header("Content-Type");
    return GuardError(415, "unsupported_media_type",
                      "control-API writes need Content-Type: application/json (got " +
                          (got.empty() ? std::string("none") : "\"" + std::string(got.substr(0, 100)) + "\"") + ")");
  }
  return std::nullopt;
}

// DNS rebinding: a page on r.example whose name now resolves to 127.0.0.1 is same-origin
// with the emulator in the browser's eyes (Host and Origin both say r.example), so only the
// Host name tells it apart. Reads are refused too: the page could read the journal, the
// config and the tasks.
std::optional<ApiResponse> HostGuard(const ApiRequest& req, const HostAllowList& allowed) {
  const std::string_view host = req.Header("Host");
  if (allowed.Allows(host)) return std::nullopt;
  return GuardError(403, "permission_denied",
                    "Host \"" + std::string(host.substr(0, 200)) +
                        "\" is not a name of this emulator, so the control API does not answer it (a guard against "
                        "DNS rebinding): it answers localhost, *.localhost, IP addresses, the host of "
                        "server.public_url and the names in server.allowed_hosts. To allow this name, add it there "
                        "(--allowed-hosts, IMAGINE_EMU_ALLOWED_HOSTS; \".example.com\" allows a domain and its "
                        "subdomains)");
}

}  // namespace

ApiResponse AdminJson(int status, const nlohmann::ordered_json& body) {
  ApiResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

StatusOr<std::unique_ptr<AdminApi>> AdminApi::Create(AdminOptions options, AdminContext context) {
  auto spec = AdminSpec();
  if (!spec.ok()) return spec.status();
  return std::unique_ptr<AdminApi>(new AdminApi(std::move(spec).value(), std::move(options), context));
}

Status AdminApi::Authorize(const ApiRequest& req) const {
  if (options_.token.empty()) return Status::Ok();
  auto token = ParseBearer(req.Header("Authorization"));
  if (!token.ok()) return Status(Code::kUnauthenticated, "this admin route needs Authorization: Bearer <admin token>");
  // Constant-time comparison: the admin token is a secret.
  const std::string& want = options_.token;
  unsigned char diff = token->size() == want.size() ? 0 : 1;
  for (size_t i = 0; i < token->size() && i < want.size(); ++i) {
    diff |= static_cast<unsigned char>((*token)[i] ^ want[i]);
  }
  if (diff != 0) return Status(Code::kUnauthenticated, "the admin token is not valid");
  return Status::Ok();
}

ApiResponse AdminApi::RenderError(const Status& status) const {
  std::string message = status.message();
  if (status.code() == Code::kInvalidArgument && !status.violation().pointer.empty()) message = DescribeViolation(status);
  if (status.code() == Code::kNotFound && status.violation().rule == "route") message = status.message();
  nlohmann::ordered_json body;
  body["error"] = {{"code", CodeName(status.code())}, {"message", message}};
  ApiResponse r = Json(HttpStatusFor(status.code()), body);
  r.is_error = true;
  return r;
}

StatusOr<nlohmann::json> AdminApi::Body(const ApiRequest& req, std::string_view operation_id) const {
  const OpenApiOperation* op = spec_->Find(operation_id);
  // The write guard (WriteGuard) already required Content-Type: application/json.
  auto body = req.body.find_first_not_of(" \t\r\n") == std::string_view::npos
                  ? StatusOr<nlohmann::json>(nlohmann::json::object())
                  : ParseJsonObjectBody(req.body, "application/json", RequestValidation{});
  if (!body.ok()) return body.status();
  if (op != nullptr && op->request_body != nullptr) {
    IMAGINE_RETURN_IF_ERROR(ValidateAgainst(*op->request_body, *body, /*reject_unknown_fields=*/false));
  }
  return body;
}

StatusOr<nlohmann::json> AdminApi::Params(const ApiRequest& req, std::string_view operation_id) const {
  const OpenApiOperation* op = spec_->Find(operation_id);
  if (op == nullptr) return Internal("the admin spec has no operation " + std::string(operation_id));
  return ReadQueryParameters(*op, [&req](std::string_view name) -> std::optional<std::string> {
    if (!req.HasQuery(name)) return std::nullopt;
    return std::string(req.Query(name));
  });
}

ApiResponse AdminApi::KeyAccount(const std::string& key) const {
  Balance balance = engine_->BalanceOf(key, engine_->NowMs());
  nlohmann::ordered_json j;
  j["key"] = key;
  j["profile"] = KeyProfileToJson(*engine_->accounts().ProfileFor(key));
  j["balance"] = {{"remaining", JsonNumber(balance.remaining)}, {"used", JsonNumber(balance.used)}};
  return Json(200, j);
}

std::map<std::string, Handler> AdminApi::Handlers() {
  std::map<std::string, Handler> h;
  h["getHealth"] = [this](ApiRequest&) {
    nlohmann::ordered_json j;
    const std::optional<StateInfo> state = ctx_.state != nullptr ? std::optional<StateInfo>(ctx_.state->info()) : std::nullopt;
    j["status"] = state && state->degraded() ? "degraded" : "ok";
    j["version"] = IMAGINE_VERSION;
    j["tasks"] = engine_->task_count();
    j["max_stored_tasks"] = engine_->options().max_stored_tasks;
    j["tasks_evicted"] = engine_->tasks_evicted();
    j["stored_task_bytes"] = engine_->stored_task_bytes();
    j["max_stored_bytes"] = engine_->options().max_stored_bytes;
    j["tasks_evicted_by"] = {{"count", engine_->tasks_evicted() - engine_->tasks_evicted_for_bytes()},
                             {"bytes", engine_->tasks_evicted_for_bytes()}};
    if (state) {
      const StateInfo& s = *state;
      j["state"] = {{"dir", s.dir},
                    {"fsync", FsyncPolicyName(s.fsync)},
                    {"restored_tasks", s.restored_tasks},
                    {"restored_records", s.restored_records},
                    {"torn_tail", s.torn_tail},
                    {"generation", s.generation},
                    {"log_bytes", s.log_bytes},
                    {"snapshots", s.snapshots},
                    {"write_errors", s.write_errors},
                    {"write_error", s.write_error},
                    {"compaction_error", s.compaction_error}};
    }
    if (ctx_.self_check != nullptr && ctx_.self_check->enabled()) {
      j["self_check"] = {{"checked", ctx_.self_check->checked()}, {"violations", ctx_.self_check->violations()}};
    }
    return Json(200, j);
  };
  auto clock_json = [this] {
    nlohmann::ordered_json j;
    j["mode"] = engine_->clock().is_virtual() ? "virtual" : "real";
    j["now_ms"] = engine_->NowMs();
    j["time_scale"] = engine_->clock().time_scale();
    j["pending_timers"] = engine_->timers().pending();
    return j;
  };
  h["getClock"] = [clock_json](ApiRequest&) { return Json(200, clock_json()); };
  h["setClock"] = [this, clock_json](ApiRequest& req) {
    auto body = Body(req, "setClock");
    if (!body.ok()) return RenderError(body.status());
    if (body->contains("time_scale")) {
      Status s = engine_->SetTimeScale((*body)["time_scale"].get<double>());
      if (!s.ok()) return RenderError(s);
    }
    if (body->contains("advance_seconds")) {
      int64_t ms = static_cast<int64_t>(std::llround((*body)["advance_seconds"].get<double>() * 1000.0));
      Status s = engine_->AdvanceClock(ms);
      if (!s.ok()) return RenderError(s);
    }
    return Json(200, clock_json());
  };
  h["getVersion"] = [this](ApiRequest&) {
    nlohmann::ordered_json ports = nlohmann::ordered_json::object();
    for (const auto& [provider, port] : options_.provider_ports) ports[provider] = port;
    return Json(200, nlohmann::ordered_json{{"name", "imagine-emu"},
                                            {"version", IMAGINE_VERSION},
                                            {"providers", ProviderNamesInCatalog()},
                                            {"ports", std::move(ports)}});
  };
  h["getConfig"] = [this](ApiRequest&) {
    return Json(200, options_.effective_config ? options_.effective_config() : nlohmann::ordered_json::object());
  };
  h["advanceClock"] = [this, clock_json](ApiRequest& req) {
    auto body = Body(req, "advanceClock");
    if (!body.ok()) return RenderError(body.status());
    int64_t ms = static_cast<int64_t>(std::llround((*body)["seconds"].get<double>() * 1000.0));
    Status s = engine_->AdvanceClock(ms);
    if (!s.ok()) return RenderError(s);
    return Json(200, clock_json());
  };
  h["listScenarios"] = [this](ApiRequest&) {
    nlohmann::ordered_json scenarios = nlohmann::ordered_json::array();
    for (const ScenarioDef& d : engine_->scenarios().catalog()) {
      nlohmann::ordered_json s;
      s["name"] = d.name;
      s["description"] = d.description;
      s["acts_at"] = nlohmann::ordered_json::array();
      for (unsigned bit : {kStageCreate, kStageQuery, kStageLifecycle, kStageDownload}) {
        if (d.stages & bit) s["acts_at"].push_back(StageName(bit));
      }
      s["params"] = d.params;
      scenarios.push_back(std::move(s));
    }
    nlohmann::ordered_json rules = nlohmann::ordered_json::array();
    const int64_t now = engine_->NowMs();
    for (const ScenarioRule& r : engine_->scenarios().ActiveRules(now)) rules.push_back(ScenarioRuleToJson(r, now));
    nlohmann::ordered_json j;
    j["scenarios"] = std::move(scenarios);
    j["rules"] = std::move(rules);
    j["chaos"] = engine_->scenarios().chaos();
    return Json(200, j);
  };
  h["addScenarioRule"] = [this](ApiRequest& req) {
    auto body = Body(req, "addScenarioRule");
    if (!body.ok()) return RenderError(body.status());
    auto rule = engine_->AddScenarioRule(ScenarioRuleFromJson(*body));
    if (!rule.ok()) return RenderError(rule.status());
    return Json(201, ScenarioRuleToJson(*rule, engine_->NowMs()));
  };
  h["clearScenarioRules"] = [this](ApiRequest&) {
    auto removed = engine_->ClearScenarioRules();
    if (!removed.ok()) return RenderError(removed.status());
    return Json(200, nlohmann::ordered_json{{"removed", *removed}});
  };
  h["getKey"] = [this](ApiRequest& req) { return KeyAccount(std::string(req.PathParam("key"))); };
  h["putKey"] = [this](ApiRequest& req) {
    auto body = Body(req, "putKey");
    if (!body.ok()) return RenderError(body.status());
    const std::string key(req.PathParam("key"));
    // A profile read back from GET shows the HMAC key masked: sending the mask keeps the key.
    if (body->value("webhook_hmac_key", "") == "********") {
      (*body)["webhook_hmac_key"] = engine_->accounts().ProfileFor(key)->webhook_hmac_key;
    }
    KeyProfile profile = KeyProfileFromJson(*body);
    if (!profile.default_scenario.empty()) {
      auto armed = engine_->scenarios().Arm(profile.default_scenario, "profile");
      if (!armed.ok()) {
        return RenderError(InvalidArgument(armed.status().message(), Violation{"/default_scenario", "scenario", ""}));
      }
    }
    Status set = engine_->SetKeyProfile(key, std::move(profile));
    if (!set.ok()) return RenderError(set);
    return KeyAccount(key);
  };
  AddTaskHandlers(&h);
  AddJournalHandlers(&h);
  AddProxyHandlers(&h);
  AddOutageHandlers(&h);
  h["getOpenApiDocument"] = [this](ApiRequest& req) {
    for (const ServedDocument& d : options_.documents) {
      if (d.name != req.PathParam("document")) continue;
      ApiResponse r;
      r.content_type = d.content_type;
      r.body = d.json != nullptr      ? d.json->dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
               : !d.embedded.empty() ? std::string(d.embedded)
                                      : d.body;
      return r;
    }
    std::string served;
    for (const std::string& name : AdminServedDocumentNames()) served += (served.empty() ? "" : ", ") + name;
    return RenderError(NotFound("no document " + std::string(req.PathParam("document")) + " (served: " + served +
                                ", as .yaml or .json)"));
  };
  h["deleteScenarioRule"] = [this](ApiRequest& req) {
    const std::string id(req.PathParam("id"));
    char* end = nullptr;
    const unsigned long long n = std::strtoull(id.c_str(), &end, 10);
    if (id.empty() || *end != '\0') return RenderError(NotFound("no scenario rule " + id));
    Status removed = engine_->RemoveScenarioRule(n);
    if (!removed.ok()) return RenderError(removed);
    return Json(200, nlohmann::ordered_json{{"removed", 1}});
  };
  for (auto& [operation, handler] : h) {
    const bool open = operation == "getDashboard" || (operation == "getHealth" && !options_.protect_health);
    handler = [this, open, inner = std::move(handler)](ApiRequest& req) {
      if (auto refused = HostGuard(req, options_.allowed_hosts)) return *refused;
      if (open) return inner(req);
      if (auto refused = WriteGuard(req)) return *refused;
      Status allowed = Authorize(req);
      return allowed.ok() ? inner(req) : RenderError(allowed);
    };
  }
  return h;
}

}  // namespace imagine
