#include "callbacks/callback_destination.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "common/url.h"

namespace imagine {
namespace {

std::string AddressText(const sockaddr* addr) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, text, sizeof text);
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, text, sizeof text);
  }
  return text;
}

// The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d)
// IPv6 address, as inet_ntop writes them, else the address itself.
std::string Unmapped(const std::string& text) {
  if (text.find('.') == std::string::npos) return text;
  if (text.rfind("::ffff:", 0) == 0) return text.substr(7);
  if (text.rfind("::", 0) == 0 && text.find(':', 2) == std::string::npos) return text.substr(2);
  return text;
}

bool IsLocalInterfaceAddress(const std::string& text) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return false;
  bool found = false;
  for (ifaddrs* i = list; i != nullptr && !found; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6)) continue;
    found = Unmapped(AddressText(i->ifa_addr)) == text;
  }
  freeifaddrs(list);
  return found;
}

}  // namespace

bool IsForbiddenAddress(const sockaddr* addr, int port, const DestinationRules& rules, std::string* why) {
  const std::string raw = AddressText(addr);
  const std::string text = Unmapped(raw);
  if (text.empty()) {
    if (why != nullptr) *why = "not an IP address";
    return true;
  }
  const bool private_address = IsPrivateHost(raw);  // judges a mapped or compatible address as IPv6 and IPv4
  if (!rules.allow_private && private_address) {
    if (why != nullptr) *why = text + " is a loopback, private or link-local address";
    return true;
  }
  if (std::find(rules.own_ports.begin(), rules.own_ports.end(), port) != rules.own_ports.end()) {
    // 0.0.0.0 and :: connect to the local host; private_address covers them and loopback.
    if (text == "0.0.0.0" || text == "::" || text.rfind("127.", 0) == 0 || text == "::1" ||
        IsLocalInterfaceAddress(text)) {
      if (why != nullptr) *why = text + ":" + std::to_string(port) + " is the emulator's own listening address";
      return true;
    }
  }
  return false;
}

StatusOr<std::vector<CheckedAddress>> ResolveChecked(const HostResolver& resolver, const std::string& host, int port,
                                                     std::chrono::steady_clock::time_point deadline,
                                                     const DestinationRules& rules, std::string* why_blocked) {
  Resolution resolved = resolver.Resolve(host, port, deadline);
  if (resolved.timed_out) return Status(Code::kUnavailable, kTimeout);
  if (!resolved.error.empty()) return InvalidArgument("could not resolve host " + host + ": " + resolved.error);
  std::vector<CheckedAddress> out;
  std::string why;
  bool forbidden = false;
  for (const ResolvedAddress& r : resolved.addresses) {
    if (forbidden) break;
    const auto* addr = reinterpret_cast<const sockaddr*>(&r.addr);
    forbidden = IsForbiddenAddress(addr, port, rules, &why);
    CheckedAddress a;
    a.addr = r.addr;
    a.len = r.len;
    a.text = AddressText(addr);
    const bool seen = std::any_of(out.begin(), out.end(), [&](const CheckedAddress& o) { return o.text == a.text; });
    if (!seen) out.push_back(std::move(a));
  }
  if (forbidden) {
    // Every address must pass: a name that also resolves to a forbidden address is refused.
    if (why_blocked != nullptr) *why_blocked = host + " resolves to " + why;
    return Status(Code::kPermissionDenied, kConnectionRefused);
  }
  if (out.empty()) return InvalidArgument("could not resolve host " + host + ": no address");
  return out;
}

}  // namespace imagine
