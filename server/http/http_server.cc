#include "http/http_server.h"

#include <algorithm>
#include <chrono>
#include <exception>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/text.h"
#include "http/worker_count.h"

namespace imagine {
namespace {

HttpAnswer ToAnswer(ApiResponse&& api, const std::string& request_id) {
  HttpAnswer a;
  a.status = api.status;
  a.headers.reserve(api.headers.size() + 2);
  a.headers.emplace_back("Content-Type", api.content_type);
  for (const auto& [k, v] : api.headers) a.headers.emplace_back(k, v);
  a.headers.emplace_back("X-Request-Id", request_id);
  a.body = std::move(api.body);
  return a;
}

ApiResponse PlainJsonError(int status, const std::string& message) {
  ApiResponse r;
  r.status = status;
  r.body = nlohmann::json{{"error", message}}.dump();
  return r;
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, const Router* router, SelfCheck* self_check)
    : options_(std::move(options)), router_(router), self_check_(self_check) {
  SocketServerOptions so;
  so.min_threads = options_.threads > 0 ? options_.threads : DefaultWorkers(options_.handlers_wait);
  so.max_threads = std::max(options_.threads, 4096);
  so.keep_alive_max_requests = options_.keep_alive_max_requests;
  so.keep_alive_timeout_s = options_.keep_alive_timeout_s;
  so.read_timeout_s = options_.read_timeout_s;
  so.write_timeout_s = options_.write_timeout_s;
  so.listen_backlog = options_.listen_backlog;
  so.limits.max_body = options_.body_limit_bytes;
  server_ = std::make_unique<SocketServer>(
      so, [this](ParsedRequest& req) { return Handle(req); },
      [this](int status, const std::string& message, const ParsedRequest& req) { return Refuse(status, message, req); });
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Bind() {
  Status bound = server_->Bind(options_.host, options_.port);
  if (!bound.ok()) {
    return Status(Code::kUnavailable,
                  "cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " + bound.message());
  }
  port_ = server_->port();
  return Status::Ok();
}

void HttpServer::Run() { server_->Run(); }

void HttpServer::Stop() {
  if (server_) server_->Stop();
}

void HttpServer::set_surfaces(std::vector<const ApiSurface*> surfaces) {
  std::vector<std::pair<std::string, const ApiSurface*>> bases;
  for (const ApiSurface* d : surfaces) {
    for (const std::string& base : d->MountBases()) bases.emplace_back(base, d);
  }
  set_surface_bases(bases);
}

void HttpServer::set_surface_bases(const std::vector<std::pair<std::string, const ApiSurface*>>& bases) {
  prefixes_.clear();
  for (const auto& [base, d] : bases) prefixes_.emplace_back(base + std::string(d->path_prefix()), d);
  // The longest prefix first: /xai/v1/ is xAI's even though /v1/ would be Evolink's.
  std::stable_sort(prefixes_.begin(), prefixes_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

const ApiSurface* HttpServer::SurfaceForPath(std::string_view path) const {
  for (const auto& [prefix, d] : prefixes_) {
    if (path.substr(0, prefix.size()) == prefix) return d;
  }
  return fallback_surface_;
}

void HttpServer::Observe(const ParsedRequest& req, const std::string& request_id, const RouteEntry* route,
                         std::string_view api_key, const ApiResponse& out,
                         std::chrono::steady_clock::time_point started) const {
  if (!request_observer_) return;
  RequestRecord record;
  record.request_id = request_id;
  record.method = req.method;
  record.path = req.path;
  record.query = req.query;
  record.operation = route != nullptr ? std::string_view(route->operation_id) : std::string_view();
  record.surface = route != nullptr ? route->surface : SurfaceForPath(req.path);
  record.api_key = api_key;
  // Exactly what the client sent (the front end adds no headers of its own), the key masked.
  record.headers.reserve(req.headers.size());
  for (const auto& [k, v] : req.headers) {
    record.headers.emplace_back(k, EqualsNoCase(k, "authorization") ? MaskAuthorization(v) : v);
  }
  record.body = req.body;
  record.response = &out;
  record.latency_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  request_observer_(record);
}

HttpAnswer HttpServer::Refuse(int status, const std::string& message, const ParsedRequest& req) {
  const auto started = std::chrono::steady_clock::now();
  const std::string request_id = "req_" + std::to_string(next_request_id_.fetch_add(1, std::memory_order_relaxed));
  const ApiSurface* d = req.path.empty() ? nullptr : SurfaceForPath(req.path);
  ApiResponse api;
  if (status == 413 && d != nullptr) {
    api = d->RenderError(Status(Code::kPayloadTooLarge, message, Violation{"", "body_too_large", ""}));
  } else if (status == 400 && d != nullptr) {
    api = d->RenderError(
        Status(Code::kInvalidArgument, "the request could not be read: " + message, Violation{"", "http", ""}));
  } else {
    // Refusals of the HTTP exchange itself (timeout, oversized head, unsupported coding)
    // are the front end's, as a proxy in front of the real API would answer them.
    api = PlainJsonError(status, message);
  }
  Observe(req, request_id, nullptr, "", api, started);
  return ToAnswer(std::move(api), request_id);
}

HttpAnswer HttpServer::Handle(ParsedRequest& req) {
  const auto started = std::chrono::steady_clock::now();
  const std::string request_id = "req_" + std::to_string(next_request_id_.fetch_add(1, std::memory_order_relaxed));

  // HEAD is answered as GET without the body (the connection layer drops it).
  Router::Match match = router_->Find(req.method == "HEAD" ? std::string_view("GET") : std::string_view(req.method),
                                      req.path);
  if (match.entry == nullptr) {
    const ApiSurface* d = SurfaceForPath(req.path);
    Status missing(Code::kNotFound,
                   (match.path_known ? "method " + req.method + " is not allowed on " : "no such endpoint: ") + req.path,
                   Violation{"", "route", ""});
    ApiResponse api = d != nullptr ? d->RenderError(missing)
                                   : PlainJsonError(match.path_known ? 405 : 404, missing.message());
    Observe(req, request_id, nullptr, "", api, started);
    return ToAnswer(std::move(api), request_id);
  }
  const RouteEntry& route = *match.entry;
  ApiRequest api;
  api.method = req.method;
  api.path = req.path;
  api.base = route.base;
  api.body = req.body;
  api.request_id = request_id;
  api.query = &req.params;
  api.path_params = std::move(match.params);
  api.headers.reserve(req.headers.size());
  for (const auto& [k, v] : req.headers) api.headers.emplace_back(k, v);
  ApiResponse out;
  try {
    out = route.handler(api);
  } catch (const std::exception& e) {
    // Last resort: a stray exception becomes a 500 in the owning provider's envelope.
    Log(LogLevel::kError, "unhandled exception on " + req.method + " " + req.path + ": " + e.what());
    out = route.surface != nullptr ? route.surface->RenderError(Internal("internal error"))
                                   : PlainJsonError(500, "internal error");
  } catch (...) {
    Log(LogLevel::kError, "unhandled exception on " + req.method + " " + req.path);
    out = route.surface != nullptr ? route.surface->RenderError(Internal("internal error"))
                                   : PlainJsonError(500, "internal error");
  }
  if (self_check_ != nullptr && self_check_->enabled() && route.surface != nullptr) {
    self_check_->Check(*route.surface, route.operation_id, out);
  }
  Observe(req, request_id, &route, api.api_key, out, started);
  return ToAnswer(std::move(out), request_id);
}

}  // namespace imagine
