#include "admin/admin_routes.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace imagine {
namespace {

ApiResponse JsonResponse(int status, const nlohmann::ordered_json& body) {
  ApiResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

ApiResponse AdminError(int status, const std::string& message) {
  return JsonResponse(status, nlohmann::ordered_json{{"error", message}});
}

nlohmann::ordered_json ClockJson(Engine& engine) {
  nlohmann::ordered_json j;
  j["mode"] = engine.clock().is_virtual() ? "virtual" : "real";
  j["now_ms"] = engine.NowMs();
  j["time_scale"] = engine.clock().time_scale();
  j["pending_timers"] = engine.scheduler().pending();
  return j;
}

}  // namespace

std::vector<RouteEntry> AdminRoutes(Engine* engine, const SelfCheck* self_check) {
  std::vector<RouteEntry> routes;
  routes.push_back({"GET", "/_emulator/health", "health", false, nullptr, [engine, self_check](ApiRequest&) {
                      nlohmann::ordered_json j;
                      j["status"] = "ok";
                      j["version"] = IMAGINE_VERSION;
                      j["tasks"] = engine->task_count();
                      if (self_check != nullptr && self_check->enabled()) {
                        j["self_check"] = {{"checked", self_check->checked()},
                                           {"violations", self_check->violations()}};
                      }
                      return JsonResponse(200, j);
                    }});
  routes.push_back({"GET", "/_emulator/clock", "getClock", false, nullptr,
                    [engine](ApiRequest&) { return JsonResponse(200, ClockJson(*engine)); }});
  routes.push_back({"POST", "/_emulator/clock/advance", "advanceClock", false, nullptr, [engine](ApiRequest& req) {
                      nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
                      if (body.is_discarded() || !body.is_object() || !body.contains("seconds") ||
                          !body["seconds"].is_number() || !(body["seconds"].get<double>() >= 0) ||
                          !std::isfinite(body["seconds"].get<double>())) {
                        return AdminError(400, "body must be {\"seconds\": <number >= 0>}");
                      }
                      int64_t ms = static_cast<int64_t>(std::llround(body["seconds"].get<double>() * 1000.0));
                      Status s = engine->scheduler().Advance(ms);
                      if (!s.ok()) return AdminError(s.code() == Code::kFailedPrecondition ? 409 : 400, s.message());
                      return JsonResponse(200, ClockJson(*engine));
                    }});
  return routes;
}

}  // namespace imagine
