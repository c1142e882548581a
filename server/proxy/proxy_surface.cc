#include "proxy/proxy_surface.h"

#include "common/log.h"
#include "common/text.h"
#include "proxy/drift_check.h"

namespace imagine {
namespace {

// Request headers not passed upstream: the connection's, Accept-Encoding (the answer is
// checked, so it must not be compressed) and the emulator's own X-Emulator-* controls.
bool IsLocalHeader(std::string_view name) {
  for (const char* h : {"host", "content-length", "transfer-encoding", "connection", "keep-alive", "expect",
                        "accept-encoding"}) {
    if (EqualsNoCase(name, h)) return true;
  }
  return StartsWithNoCase(name, "x-emulator-");
}

std::string PercentEncode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string QueryString(const ApiRequest& req) {
  if (req.query == nullptr || req.query->empty()) return "";
  std::string out;
  for (const auto& [k, v] : *req.query) out += (out.empty() ? "?" : "&") + PercentEncode(k) + "=" + PercentEncode(v);
  return out;
}

}  // namespace

ProxySurface::ProxySurface(ProviderSurface* inner, std::unique_ptr<UpstreamClient> upstream, ProxyHub* hub,
                           const Clock* clock, RequestValidation limits)
    : inner_(inner), upstream_(std::move(upstream)), hub_(hub), clock_(clock), limits_(limits) {
  auto all = spec::Validator::Compile(nlohmann::json(true), nlohmann::json(true));
  if (all.ok()) accept_all_ = *all;
  const nlohmann::json& doc = inner_->spec().document();
  const nlohmann::json dialect = doc.value("x-emulator-dialect", nlohmann::json::object());
  if (dialect.contains("operations") && dialect["operations"].is_object()) {
    create_operation_ = dialect["operations"].value("create", "");
  }
  if (dialect.contains("create_fields") && dialect["create_fields"].is_object()) {
    callback_url_pointer_ = dialect["create_fields"].value("callback_url", "");
  }
  if (dialect.contains("query_task_id") && dialect["query_task_id"].is_object()) {
    query_id_in_path_ = dialect["query_task_id"].value("in", "") == "path";
    query_id_name_ = dialect["query_task_id"].value("name", "");
  }
  // Only a forwarding surface checks the callbacks it captures (UpstreamBody): an emulating
  // one does not compile the schema at start-up (2 % of a start's CPU in a profile).
  if (upstream_ == nullptr) return;
  if (const OpenApiOperation* create = inner_->spec().Find(create_operation_)) {
    callback_schema_ = CallbackSchema(inner_->spec(), *create);
  }
}

std::map<std::string, Handler> ProxySurface::Handlers() {
  std::map<std::string, Handler> handlers = inner_->Handlers();
  for (auto& [operation, handler] : handlers) {
    const OpenApiOperation* op = inner_->spec().Find(operation);
    if (op == nullptr) continue;  // the router refuses it
    handler = [this, op, emulate = std::move(handler)](ApiRequest& req) {
      auto bearer = ParseBearer(req.Header("Authorization"));
      if (bearer.ok()) {
        if (auto replayed = hub_->replayer.Answer(*bearer, std::string(name()), op->operation_id)) {
          req.api_key = *bearer;
          return *replayed;
        }
      }
      return upstream_ != nullptr ? Forward(*op, req) : emulate(req);
    };
  }
  return handlers;
}

std::shared_ptr<const spec::Validator> ProxySurface::ResponseSchema(std::string_view operation_id,
                                                                    const ApiResponse& response) const {
  if (upstream_ != nullptr || response.scenario == "replay") return accept_all_;
  return inner_->ResponseSchema(operation_id, response);
}

std::string ProxySurface::UpstreamBody(const OpenApiOperation& op, const ApiRequest& req) const {
  if (hub_->capture == nullptr || op.operation_id != create_operation_ || callback_url_pointer_.empty()) {
    return std::string(req.body);
  }
  nlohmann::ordered_json body = nlohmann::ordered_json::parse(req.body, nullptr, false);
  if (!body.is_object()) return std::string(req.body);
  try {
    const nlohmann::ordered_json::json_pointer at(callback_url_pointer_);
    if (!body.contains(at) || !body.at(at).is_string() || body.at(at).get<std::string>().empty()) {
      return std::string(req.body);
    }
    body.at(at) = hub_->capture->Register(std::string(name()), op.operation_id, op.method + " " + op.path,
                                          callback_schema_, body.at(at).get<std::string>());
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const nlohmann::json::exception&) {
    return std::string(req.body);
  }
}

ApiResponse ProxySurface::Forward(const OpenApiOperation& op, ApiRequest& req) const {
  auto bearer = ParseBearer(req.Header("Authorization"));
  if (bearer.ok()) req.api_key = *bearer;
  const std::string provider(name());
  DriftCheck check{provider, op.operation_id, op.method + " " + op.path, DriftDirection::kRequest};
  hub_->drift.Record(check, CheckClientRequest(op, req, limits_), clock_->NowMs());

  UpstreamRequest up;
  up.method = std::string(req.method);
  // The document's path: a route under a mount base (/evolink/v1/...) is the upstream's /v1/...
  const std::string_view path = req.path.substr(req.base.size());
  up.target = std::string(path) + QueryString(req);
  for (const auto& [k, v] : req.headers) {
    if (!IsLocalHeader(k)) up.headers.emplace_back(std::string(k), std::string(v));
  }
  up.body = UpstreamBody(op, req);
  UpstreamReply reply = upstream_->Send(up);

  ApiResponse out;
  if (!query_id_name_.empty() && op.operation_id != create_operation_) {
    out.task_id = std::string(query_id_in_path_ ? req.PathParam(query_id_name_) : req.Query(query_id_name_));
  }
  if (!reply.error.empty()) {
    hub_->drift.CountUpstreamError(provider);
    Log(LogLevel::kWarn, "proxy: " + provider + " upstream " + upstream_->base_url() + " " + up.method + " " +
                             std::string(req.path) + ": " + reply.error);
    ApiResponse failed = inner_->RenderError(Internal("the upstream " + upstream_->base_url() + " failed: " + reply.error));
    failed.headers.emplace_back("X-Emulator-Upstream-Error", reply.error);
    failed.task_id = out.task_id;
    return failed;
  }
  check.direction = DriftDirection::kResponse;
  hub_->drift.Record(check, CheckUpstreamAnswer(*inner_, op, reply.status, reply.content_type, reply.body),
                     clock_->NowMs());
  hub_->recorder.Add(RecordedAnswer{req.api_key, provider, op.operation_id, up.method, std::string(path),
                                    reply.status, reply.content_type, reply.body, clock_->NowMs()});
  out.status = reply.status;
  out.body = std::move(reply.body);
  out.content_type = reply.content_type.empty() ? "application/octet-stream" : reply.content_type;
  for (auto& [k, v] : reply.headers) {
    // The emulator's server sets its own X-Request-Id; the upstream's is kept under another name.
    out.headers.emplace_back(EqualsNoCase(k, "x-request-id") ? "X-Upstream-Request-Id" : k, std::move(v));
  }
  return out;
}

}  // namespace imagine
