// Where a request made on a client's behalf may connect — the one policy of callbacks
// (HttpWebhookSender) and input images (app/http_image_fetcher.cc): the host is resolved
// once, every address it resolves to is checked against the rules (private addresses when
// they are not allowed, and always the emulator's own listening address), and the caller
// connects to exactly the addresses that were checked — so a name cannot pass the check
// and then reach another address ("https://*:PORT/x", DNS rebinding). Pure functions but
// for the resolver and getifaddrs; thread-safe. The lookup runs under the caller's
// deadline (host_resolver.h).
#ifndef IMAGINE_CALLBACKS_CALLBACK_DESTINATION_H_
#define IMAGINE_CALLBACKS_CALLBACK_DESTINATION_H_

#include <sys/socket.h>

#include <chrono>
#include <string>
#include <vector>

#include "callbacks/host_resolver.h"
#include "common/status.h"

namespace imagine {

// What a callback may not reach.
struct DestinationRules {
  bool allow_private = true;      // loopback, private and link-local addresses (IsPrivateHost)
  std::vector<int> own_ports;     // the emulator's listening ports: never reachable on any
                                  // local address (loopback, unspecified, an interface's)
};

struct CheckedAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string text;  // "127.0.0.1" / "::1"
};

// The error every refused or blocked connection reports, so that the callback log cannot
// tell a closed port from a forbidden one.
inline constexpr const char* kConnectionRefused = "connection refused";

// The error of an attempt whose deadline passed, while resolving as while connecting.
inline constexpr const char* kTimeout = "timeout";

// Resolves `host` (numeric forms included) for `port` with `resolver`, giving up at
// `deadline`, and checks every address.
// kUnavailable (message kTimeout) when the deadline comes before the lookup's answer;
// kInvalidArgument "could not resolve host H: ..." when it does not resolve;
// kPermissionDenied (message kConnectionRefused) when any address is forbidden — the log
// line the caller writes may say why, the attempt's error may not.
StatusOr<std::vector<CheckedAddress>> ResolveChecked(const HostResolver& resolver, const std::string& host, int port,
                                                     std::chrono::steady_clock::time_point deadline,
                                                     const DestinationRules& rules,
                                                     std::string* why_blocked = nullptr);

// True when `addr` is forbidden by `rules` (for tests and the fuzz target); sets *why.
bool IsForbiddenAddress(const sockaddr* addr, int port, const DestinationRules& rules, std::string* why);

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_CALLBACK_DESTINATION_H_
