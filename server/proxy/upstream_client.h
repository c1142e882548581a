// UpstreamClient: how proxy mode sends one client request to the live provider and reads
// its answer. The interface lets unit tests put a fake in; HttpUpstreamClient is the real
// one (cpp-httplib, HTTP or HTTPS, a fresh connection per request, no redirects, no
// decompression, timeouts and a body limit). It is the only transport code of server/proxy/.
// Implementations are thread-safe: Send() is const.
#ifndef IMAGINE_PROXY_UPSTREAM_CLIENT_H_
#define IMAGINE_PROXY_UPSTREAM_CLIENT_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace imagine {

using UpstreamHeaders = std::vector<std::pair<std::string, std::string>>;

struct UpstreamRequest {
  std::string method;      // "GET", "POST"
  std::string target;      // path and query, e.g. "/api/v1/jobs/recordInfo?taskId=abc"
  UpstreamHeaders headers;  // sent as given (the client's, hop-by-hop ones removed)
  std::string body;
};

struct UpstreamReply {
  int status = 0;            // 0 when no answer arrived
  std::string content_type;  // "" when the upstream sent none
  UpstreamHeaders headers;   // end-to-end headers as received (no Content-Type, Content-Length, ...)
  std::string body;          // exactly as received
  std::string error;         // "" when an answer arrived; else one line: "timeout", "connection refused",
                             // "answer larger than the N-byte limit", "TLS: ..."
};

class UpstreamClient {
 public:
  virtual ~UpstreamClient() = default;
  // The base URL requests go to ("https://api.example.com"), for logs and errors.
  virtual const std::string& base_url() const = 0;
  // Sends `request` and returns the answer or the error. Never throws.
  virtual UpstreamReply Send(const UpstreamRequest& request) const = 0;
};

struct UpstreamClientOptions {
  bool allow_http = false;       // else the base URL must be https
  int64_t timeout_ms = 30000;    // connect, each write, each read
  size_t body_limit_bytes = 16 << 20;
  bool verify_tls = true;        // verify the upstream's certificate chain and host name
  std::string ca_file;           // PEM bundle trusted besides the system store; "" = system only
};

// kInvalidArgument "<name>: ..." when `base_url` is not an http(s) URL with a host, has a
// query or user-info, or is http:// without options.allow_http.
StatusOr<std::unique_ptr<UpstreamClient>> MakeHttpUpstreamClient(std::string_view name, const std::string& base_url,
                                                                 const UpstreamClientOptions& options);

}  // namespace imagine

#endif  // IMAGINE_PROXY_UPSTREAM_CLIENT_H_
