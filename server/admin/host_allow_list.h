// HostAllowList: the Host names the control API (/_emulator/) answers — its guard against
// DNS rebinding, where a page on r.example has its name re-pointed at 127.0.0.1 and then
// reaches the emulator as its own origin ("Host: r.example:PORT" with a matching Origin),
// so Origin checks cannot tell it apart. As Vite's server.allowedHosts and
// webpack-dev-server's allowedHosts: always allowed are a request without Host (HTTP/1.0),
// IP address literals (a page served from an address was not re-pointed by DNS),
// `localhost` and `*.localhost`; then the configured entries. Immutable; thread-safe.
//
//   HostAllowList hosts({"emulator", ".corp.example"});
//   hosts.Allows("emulator:8080");  // true; "a.corp.example" too; "r.example" false
#ifndef IMAGINE_ADMIN_HOST_ALLOW_LIST_H_
#define IMAGINE_ADMIN_HOST_ALLOW_LIST_H_

#include <string>
#include <string_view>
#include <vector>

namespace imagine {

// The entry of server.allowed_hosts that turns the check off (webpack-dev-server's 'all').
inline constexpr const char* kAllowAllHosts = "all";

class HostAllowList {
 public:
  // Only the names that are always allowed.
  HostAllowList() = default;
  // `entries`: "name" allows that name, ".name" that name and every subdomain, "all" any
  // Host. Compared without case and without a trailing dot; a port is never compared.
  explicit HostAllowList(const std::vector<std::string>& entries);

  // True when `host_header` (the Host header's value, "" when absent) names this emulator.
  // A malformed value ("a b", "[::1", "h:port") is refused.
  bool Allows(std::string_view host_header) const;

  // True when an "all" entry turned the check off.
  bool allows_all() const { return all_; }

 private:
  bool all_ = false;
  std::vector<std::string> names_;    // exact, lower case
  std::vector<std::string> domains_;  // ".name" entries, lower case, with the dot
};

}  // namespace imagine

#endif  // IMAGINE_ADMIN_HOST_ALLOW_LIST_H_
