// The control API's proxy-mode routes: GET drift, GET and POST recordings, and the
// proxy's metric families.
#include "admin/admin_api.h"

namespace imagine {

std::vector<Metrics::Family> ProxyMetricFamilies(const ProxyHub* proxy) {
  Metrics::Family findings{"imagine_drift_findings", "Distinct drift findings, by provider and direction.", "gauge", {}};
  Metrics::Family seen{"imagine_drift_observations_total", "Drift observations (a finding seen again counts again).",
                       "counter", {}};
  Metrics::Family errors{"imagine_proxy_upstream_errors_total", "Upstream requests that got no answer, by provider.",
                         "counter", {}};
  if (proxy != nullptr) {
    std::map<std::pair<std::string, std::string>, std::pair<double, double>> by;  // provider, direction
    for (const DriftFinding& f : proxy->drift.Findings()) {
      auto& [distinct, count] = by[{f.provider, DriftDirectionName(f.direction)}];
      distinct += 1;
      count += static_cast<double>(f.count);
    }
    for (const auto& [key, n] : by) {
      const std::string labels = "provider=\"" + PromLabel(key.first) + "\",direction=\"" + key.second + "\"";
      findings.samples.emplace_back(labels, n.first);
      seen.samples.emplace_back(labels, n.second);
    }
    for (const auto& [provider, n] : proxy->drift.UpstreamErrors()) {
      errors.samples.emplace_back("provider=\"" + PromLabel(provider) + "\"", static_cast<double>(n));
    }
  }
  if (findings.samples.empty()) findings.samples.emplace_back("", 0);
  if (seen.samples.empty()) seen.samples.emplace_back("", 0);
  if (errors.samples.empty()) errors.samples.emplace_back("", 0);
  return {findings, seen, errors};
}

void AdminApi::AddProxyHandlers(std::map<std::string, Handler>* h) {
  (*h)["getDrift"] = [this](ApiRequest&) {
    if (ctx_.proxy == nullptr) {
      return AdminJson(200, nlohmann::ordered_json{{"findings", nlohmann::ordered_json::array()},
                                                   {"checked", nlohmann::ordered_json::array()},
                                                   {"upstream_errors", nlohmann::ordered_json::object()}});
    }
    nlohmann::ordered_json report = ctx_.proxy->drift.ToJson();
    report["proxying"] = ctx_.proxy->proxying;
    return AdminJson(200, report);
  };
  (*h)["getRecordings"] = [this](ApiRequest& req) {
    auto params = Params(req, "getRecordings");
    if (!params.ok()) return RenderError(params.status());
    if (ctx_.proxy == nullptr) return AdminJson(200, Recorder().Fixtures("", "", false, ""));
    auto text = [&params](const char* name) {
      return params->contains(name) && (*params)[name].is_string() ? (*params)[name].get<std::string>() : std::string();
    };
    ApiResponse r = AdminJson(200, ctx_.proxy->recorder.Fixtures(text("key"), text("provider"),
                                                                  params->value("failures_only", false),
                                                                  text("replay_key")));
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"recordings.json\"");
    return r;
  };
  (*h)["loadRecordings"] = [this](ApiRequest& req) {
    auto body = Body(req, "loadRecordings");
    if (!body.ok()) return RenderError(body.status());
    if (ctx_.proxy == nullptr) return RenderError(Status(Code::kFailedPrecondition, "recordings are not wired in"));
    Status loaded = ctx_.proxy->replayer.Load(*body);
    if (!loaded.ok()) return RenderError(loaded);
    return AdminJson(200, nlohmann::ordered_json{{"loaded", ctx_.proxy->replayer.size()}});
  };
}

}  // namespace imagine
