// HttpServer: serves the router over the emulator's own HTTP/1.1 connection layer
// (SocketServer: epoll, every connection served, limits that hold). It turns each parsed
// request into an ApiRequest, dispatches through the Router (handlers authenticate their
// callers), and renders connection-level failures (unknown path, body too large,
// malformed request, stray exception) in the owning surface's envelope. Run() blocks;
// Stop() may be called from any thread.
#ifndef IMAGINE_HTTP_HTTP_SERVER_H_
#define IMAGINE_HTTP_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/request_parser.h"
#include "http/router.h"
#include "http/self_check.h"
#include "http/socket_server.h"

namespace imagine {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                    // 0 = any free port
  int threads = 0;                    // workers kept ready, 0 = DefaultWorkers (http/worker_count.h):
                                      // one per CPU, at least 2 when handlers_wait; more start
                                      // while every worker is held by a slow handler
  bool handlers_wait = false;         // a handler may wait on the network or the disk (proxy
                                      // mode, input fetches, a state directory)
  int keep_alive_max_requests = 100000;
  int keep_alive_timeout_s = 30;
  int read_timeout_s = 10;
  int write_timeout_s = 30;           // an answer not taken whole by then closes the connection
  size_t body_limit_bytes = 1 << 20;  // larger bodies get the surface's kPayloadTooLarge error
  int listen_backlog = 4096;          // pending connections
};

// One served request, as the journal, metrics and logs see it. Views live only during
// the call.
struct RequestRecord {
  std::string_view request_id;
  std::string_view method;
  std::string_view path;
  std::string_view query;      // raw query string, "" when none
  std::string_view operation;  // operationId, or "" for an unmatched path
  const ApiSurface* surface = nullptr;  // null for plain routes and unmatched paths
  std::string_view api_key;    // the provider key the caller presented ("" for none)
  std::vector<std::pair<std::string, std::string>> headers;  // Authorization masked
  std::string_view body;
  const ApiResponse* response = nullptr;
  int64_t latency_us = 0;
};
using RequestObserver = std::function<void(const RequestRecord&)>;

class HttpServer {
 public:
  // `router` and `self_check` (nullable) must outlive the server.
  HttpServer(HttpServerOptions options, const Router* router, SelfCheck* self_check = nullptr);
  ~HttpServer();

  // Binds the listening socket. kUnavailable "cannot listen on HOST:PORT: <reason>" on failure.
  Status Bind();
  int port() const { return port_; }
  // The surfaces that render errors for paths under their prefixes (each mount base's);
  // they must outlive the server. Precondition: called before Run().
  void set_surfaces(std::vector<const ApiSurface*> surfaces);
  // The same with the mount bases given (base, surface) instead of each surface's
  // MountBases(): a provider on a port of its own is at the root there too.
  void set_surface_bases(const std::vector<std::pair<std::string, const ApiSurface*>>& bases);
  // The surface that renders errors for paths under no prefix (null: a plain JSON error): a
  // provider's own port answers every path in the provider's envelope. Before Run().
  void set_fallback_surface(const ApiSurface* surface) { fallback_surface_ = surface; }
  void set_request_observer(RequestObserver observer) { request_observer_ = std::move(observer); }
  // Serves until Stop(). Precondition: Bind() succeeded.
  void Run();
  void Stop();

 private:
  HttpAnswer Handle(ParsedRequest& request);
  HttpAnswer Refuse(int status, const std::string& message, const ParsedRequest& request);
  const ApiSurface* SurfaceForPath(std::string_view path) const;
  // Hands the served request to the request observer, if any.
  void Observe(const ParsedRequest& request, const std::string& request_id, const RouteEntry* route,
               std::string_view api_key, const ApiResponse& out, std::chrono::steady_clock::time_point started) const;

  HttpServerOptions options_;
  const Router* router_;
  SelfCheck* self_check_;
  std::vector<std::pair<std::string, const ApiSurface*>> prefixes_;  // mount base + path prefix, longest first
  const ApiSurface* fallback_surface_ = nullptr;  // see set_fallback_surface
  RequestObserver request_observer_;
  std::unique_ptr<SocketServer> server_;
  int port_ = -1;
  std::atomic<uint64_t> next_request_id_{1};
};

}  // namespace imagine

#endif  // IMAGINE_HTTP_HTTP_SERVER_H_
