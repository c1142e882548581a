// Name resolution for callback hosts under the attempt's real-time deadline. getaddrinfo
// has no timeout of its own (resolv.conf's is 5 s x attempts x servers, and an nsswitch
// module may block longer), so a name is looked up on a helper thread and the caller stops
// waiting at its deadline; the lookup finishes on its own and its thread exits. Helper
// threads are bounded (max_lookups): a caller waits for a free one under the same
// deadline. Numeric hosts are parsed inline. Used by HttpWebhookSender and
// HttpImageFetcher (app/); thread-safe.
#ifndef IMAGINE_CALLBACKS_HOST_RESOLVER_H_
#define IMAGINE_CALLBACKS_HOST_RESOLVER_H_

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace imagine {

struct ResolvedAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

// A blocking lookup of `host` for `port`: "" with the addresses in *out, or one line saying
// why it failed (gai_strerror's words).
using LookupFunction = std::function<std::string(const std::string& host, int port, std::vector<ResolvedAddress>* out)>;

// getaddrinfo(host, port, AF_UNSPEC, SOCK_STREAM), numeric hosts included.
std::string SystemLookup(const std::string& host, int port, std::vector<ResolvedAddress>* out);

struct Resolution {
  bool timed_out = false;                  // the deadline came first (addresses empty)
  std::string error;                       // "" or why the lookup failed
  std::vector<ResolvedAddress> addresses;  // when error is "" and not timed_out
};

class HostResolver {
 public:
  static constexpr size_t kDefaultMaxLookups = 16;

  // `lookup` null = SystemLookup. It runs on helper threads that may outlive the resolver,
  // so it must not refer to anything shorter-lived than its last call.
  explicit HostResolver(LookupFunction lookup = nullptr, size_t max_lookups = kDefaultMaxLookups);

  // Numeric hosts (inet_aton and IPv6 forms, as getaddrinfo's AI_NUMERICHOST) resolve inline
  // without `lookup`; names go to a helper thread. Returns by `deadline` in every case.
  Resolution Resolve(const std::string& host, int port, std::chrono::steady_clock::time_point deadline) const;

  // Helper threads running now (abandoned lookups included).
  size_t LookupsInFlight() const;

 private:
  struct Shared;
  LookupFunction lookup_;
  size_t max_lookups_;
  std::shared_ptr<Shared> shared_;  // shared with the helper threads
};

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_HOST_RESOLVER_H_
