// HttpServer: the only place that touches cpp-httplib's server. It binds, tunes the
// library (thread pool, keep-alive, TCP_NODELAY, body limit), turns each request into an
// ApiRequest, authenticates bearer routes, dispatches through the Router, and renders
// library-level failures (unknown path, body too large, stray exception) in the owning
// provider's envelope. Run() blocks; Stop() may be called from any thread.
#ifndef IMAGINE_HTTP_HTTP_SERVER_H_
#define IMAGINE_HTTP_HTTP_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/router.h"
#include "http/self_check.h"

namespace httplib {
class Server;
}

namespace imagine {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                    // 0 = any free port
  int threads = 64;                   // pool size; an open keep-alive connection holds a thread
  int keep_alive_max_requests = 100000;
  int keep_alive_timeout_s = 30;
  int read_timeout_s = 10;
  size_t body_limit_bytes = 1 << 20;  // larger bodies get the dialect's kPayloadTooLarge error
};

class HttpServer {
 public:
  // `router` and `self_check` (nullable) must outlive the server.
  HttpServer(HttpServerOptions options, const Router* router, SelfCheck* self_check = nullptr);
  ~HttpServer();

  // Binds the listening socket. kUnavailable "cannot listen on HOST:PORT: <reason>" on failure.
  Status Bind();
  int port() const { return port_; }
  // The dialects that render errors for paths under their prefixes; they must outlive
  // the server. Precondition: called before Run().
  void set_dialects(std::vector<const Dialect*> dialects) { dialects_ = std::move(dialects); }
  // Serves until Stop(). Precondition: Bind() succeeded.
  void Run();
  void Stop();

 private:
  void Handle(const void* request, void* response);
  const Dialect* DialectForPath(std::string_view path) const;

  HttpServerOptions options_;
  const Router* router_;
  SelfCheck* self_check_;
  std::vector<const Dialect*> dialects_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = -1;
  std::atomic<uint64_t> next_request_id_{1};
};

}  // namespace imagine

#endif  // IMAGINE_HTTP_HTTP_SERVER_H_
