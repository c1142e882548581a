#include "http/http_server.h"

#include <httplib.h>

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "common/log.h"
#include "common/text.h"

namespace imagine {
namespace {

void WriteResponse(const ApiResponse& api, const std::string& request_id, httplib::Response& res) {
  res.status = api.status;
  for (const auto& [k, v] : api.headers) res.set_header(k, v);
  res.set_header("X-Request-Id", request_id);
  res.set_content(api.body, api.content_type.c_str());
}

ApiResponse PlainJsonError(int status, const std::string& message) {
  ApiResponse r;
  r.status = status;
  r.body = nlohmann::json{{"error", message}}.dump();
  return r;
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, const Router* router, SelfCheck* self_check)
    : options_(std::move(options)), router_(router), self_check_(self_check), server_(std::make_unique<httplib::Server>()) {
  const size_t threads = static_cast<size_t>(options_.threads);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_tcp_nodelay(true);
  // cpp-httplib 0.11 listens with a compiled-in backlog of 5, so a burst of connects (32
  // keep-alive clients starting at once) overflows the SYN queue and waits on 1 s
  // retransmits. Remember the socket here (set_socket_options runs before bind) and listen
  // again with a real backlog once it is bound (Bind()). Also keep SO_REUSEADDR as the default does.
  server_->set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
    listen_fd_.store(sock);
  });
  server_->set_keep_alive_max_count(static_cast<size_t>(options_.keep_alive_max_requests));
  server_->set_keep_alive_timeout(options_.keep_alive_timeout_s);
  server_->set_read_timeout(options_.read_timeout_s, 0);
  server_->set_payload_max_length(options_.body_limit_bytes);

  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) { Handle(&req, &res); };
  server_->Get(".*", dispatch);
  server_->Post(".*", dispatch);
  server_->Put(".*", dispatch);
  server_->Patch(".*", dispatch);
  server_->Delete(".*", dispatch);
  server_->Options(".*", dispatch);

  // Library-made errors (body over the limit, unparsable request) arrive with an empty body.
  server_->set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req,
                                                                         httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const ApiSurface* d = SurfaceForPath(req.path);
    Status problem;
    if (res.status == 413) {
      problem = Status(Code::kPayloadTooLarge,
                       "request body is larger than the " + std::to_string(options_.body_limit_bytes) + "-byte limit",
                       Violation{"", "body_too_large", ""});
    } else if (res.status == 400) {
      problem = Status(Code::kInvalidArgument, "the request could not be read (a POST needs a Content-Length or a chunked body)",
                       Violation{"", "http", ""});
    } else {
      problem = Status(Code::kInternal, "the request could not be served (HTTP " + std::to_string(res.status) + ")");
    }
    ApiResponse api = d != nullptr ? d->RenderError(problem) : PlainJsonError(res.status, problem.message());
    const std::string request_id =
        "req_" + std::to_string(next_request_id_.fetch_add(1, std::memory_order_relaxed));
    Observe(&req, request_id, nullptr, "", api, std::chrono::steady_clock::now());
    WriteResponse(api, request_id, res);
    return httplib::Server::HandlerResponse::Handled;
  }));
  // Last resort: a stray exception becomes a 500 in the owning provider's envelope.
  server_->set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    Log(LogLevel::kError, "unhandled exception on " + req.method + " " + req.path + ": " + what);
    const ApiSurface* d = SurfaceForPath(req.path);
    Status internal = Internal("internal error");
    WriteResponse(d != nullptr ? d->RenderError(internal) : PlainJsonError(500, "internal error"), "", res);
  });
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Bind() {
  errno = 0;
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
  } else {
    port_ = server_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ < 0) {
    std::string reason = errno != 0 ? std::strerror(errno) : "bind failed";
    return Status(Code::kUnavailable,
                  "cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " + reason);
  }
  if (int fd = listen_fd_.load(); fd >= 0) ::listen(fd, options_.listen_backlog);  // Linux updates the backlog
  return Status::Ok();
}

void HttpServer::Run() { server_->listen_after_bind(); }

void HttpServer::Stop() {
  if (server_ && server_->is_running()) server_->stop();
}

const ApiSurface* HttpServer::SurfaceForPath(std::string_view path) const {
  for (const ApiSurface* d : surfaces_) {
    if (path.substr(0, d->path_prefix().size()) == d->path_prefix()) return d;
  }
  return nullptr;
}

void HttpServer::Observe(const void* request, const std::string& request_id, const RouteEntry* route,
                         std::string_view api_key, const ApiResponse& out,
                         std::chrono::steady_clock::time_point started) const {
  if (!request_observer_) return;
  const auto& req = *static_cast<const httplib::Request*>(request);
  RequestRecord record;
  record.request_id = request_id;
  record.method = req.method;
  record.path = req.path;
  size_t q = req.target.find('?');
  if (q != std::string::npos) record.query = std::string_view(req.target).substr(q + 1);
  record.operation = route != nullptr ? std::string_view(route->operation_id) : std::string_view();
  record.surface = route != nullptr ? route->surface : SurfaceForPath(req.path);
  record.api_key = api_key;
  // Only what the client sent: cpp-httplib 0.11 adds the connection's addresses (and, on
  // an exception, EXCEPTION_WHAT) to the request's headers.
  static constexpr std::string_view kLibraryHeaders[] = {"REMOTE_ADDR", "REMOTE_PORT", "LOCAL_ADDR", "LOCAL_PORT",
                                                         "EXCEPTION_WHAT"};
  record.headers.reserve(req.headers.size());
  for (const auto& [k, v] : req.headers) {
    if (std::find(std::begin(kLibraryHeaders), std::end(kLibraryHeaders), k) != std::end(kLibraryHeaders)) continue;
    record.headers.emplace_back(k, EqualsNoCase(k, "authorization") ? MaskAuthorization(v) : v);
  }
  record.body = req.body;
  record.response = &out;
  record.latency_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  request_observer_(record);
}

void HttpServer::Handle(const void* request, void* response) {
  const auto started = std::chrono::steady_clock::now();
  const auto& req = *static_cast<const httplib::Request*>(request);
  auto& res = *static_cast<httplib::Response*>(response);
  const std::string request_id = "req_" + std::to_string(next_request_id_.fetch_add(1, std::memory_order_relaxed));

  Router::Match match = router_->Find(req.method, req.path);
  if (match.entry == nullptr) {
    const ApiSurface* d = SurfaceForPath(req.path);
    Status missing(Code::kNotFound,
                   (match.path_known ? "method " + req.method + " is not allowed on " : "no such endpoint: ") + req.path,
                   Violation{"", "route", ""});
    ApiResponse api = d != nullptr ? d->RenderError(missing)
                                   : PlainJsonError(match.path_known ? 405 : 404, missing.message());
    Observe(request, request_id, nullptr, "", api, started);
    WriteResponse(api, request_id, res);
    return;
  }
  const RouteEntry& route = *match.entry;
  ApiRequest api;
  api.method = req.method;
  api.path = req.path;
  api.body = req.body;
  api.request_id = request_id;
  api.query = &req.params;
  api.path_params = std::move(match.params);
  api.headers.reserve(req.headers.size());
  for (const auto& [k, v] : req.headers) api.headers.emplace_back(k, v);
  ApiResponse out = route.handler(api);
  if (self_check_ != nullptr && self_check_->enabled() && route.surface != nullptr) {
    self_check_->Check(*route.surface, route.operation_id, out);
  }
  Observe(request, request_id, &route, api.api_key, out, started);
  WriteResponse(out, request_id, res);
}

}  // namespace imagine
