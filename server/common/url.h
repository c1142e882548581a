// The one URL parser of the emulator (RFC 3986 §3 generic syntax), used by JSON Schema's
// `format: uri`, the providers' callback rules, and the callback sender — so that the
// private-address check sees the same host the sender connects to. Pure functions;
// thread-safe.
//
//   auto parts = SplitUrl("https://user@[::1]:8443/cb?x=1");  // host "::1", port "8443"
#ifndef IMAGINE_COMMON_URL_H_
#define IMAGINE_COMMON_URL_H_

#include <string_view>

#include "common/status.h"

namespace imagine {

// The components of a URL, as views into the text it was split from.
struct UrlParts {
  std::string_view scheme;        // as written (compare with EqualsNoCase)
  bool has_authority = false;     // "//" follows the scheme
  bool has_userinfo = false;
  std::string_view userinfo;      // before the last '@' of the authority
  std::string_view host;          // IPv6/IPvFuture literals without their brackets
  bool ip_literal = false;        // the host was bracketed
  bool has_port = false;          // a ':' follows the host (the port may be empty)
  std::string_view port;          // digits as written, not checked
  std::string_view path;          // "" or starting with '/' under an authority
  bool has_query = false;
  std::string_view query;         // without the '?'
  bool has_fragment = false;
  std::string_view fragment;      // without the '#'
};

// Splits `url` into its components without judging their characters (a receiver URL with
// a space in its path still splits). kInvalidArgument, with the message completing
// "URL ...": "has no scheme", "has an unterminated IPv6 host", "has junk after the IPv6 host".
StatusOr<UrlParts> SplitUrl(std::string_view url);

// True when `url` is an absolute URI by RFC 3986 (scheme ":" hier-part ["?" query]
// ["#" fragment], every character allowed where it stands): JSON Schema's format "uri".
bool IsAbsoluteUri(std::string_view url);

// True for `localhost` and literal loopback, private, link-local, unique-local, shared,
// benchmarking and reserved addresses (127/8, 10/8, 172.16/12, 192.168/16, 169.254/16,
// 0/8, 100.64/10, 198.18/15, 240/4, ::/96 — ::1, :: and the IPv4-compatible ::a.b.c.d —,
// fc00::/7, fe80::/10), also in the short and numeric IPv4 forms a client would connect to
// ("127.1", "2130706433", "0x7f.1") and as IPv4-mapped IPv6. Host names are not resolved:
// what a name resolves to is checked address by address (callbacks/callback_destination.h).
bool IsPrivateHost(std::string_view host);

}  // namespace imagine

#endif  // IMAGINE_COMMON_URL_H_
