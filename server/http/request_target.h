// The request-target and the Host header of an HTTP/1.1 request (RFC 9112 §3.2, §3.2.2,
// RFC 9110 §7.2): which forms are served, which bytes are refused, and how the path and
// query are decoded. Used by RequestParser only; pure functions, thread-safe.
#ifndef IMAGINE_HTTP_REQUEST_TARGET_H_
#define IMAGINE_HTTP_REQUEST_TARGET_H_

#include <map>
#include <string>
#include <string_view>

namespace imagine {

struct RequestTarget {
  std::string origin;     // path and query as sent ("/a?b"); for absolute-form the part after the authority
  std::string authority;  // host[:port] of an absolute-form target, "" for origin-form
  std::string path;       // percent-decoded
  std::string query;      // raw, after '?', "" when none
  std::multimap<std::string, std::string> params;  // the query, decoded ('+' is a space)
};

// Reads `target` (already free of spaces and control bytes). Serves origin-form
// ("/path?query"), absolute-form ("http://host:port/path?query", RFC 9112 §3.2.2: a
// server MUST accept it) and "*" for OPTIONS. Returns "" and fills `out`, or a message
// saying why the target is refused: another form, a byte >= 0x80, a '#' (a fragment is
// never sent), or a percent-encoded NUL ("%00", which would cut the path short).
std::string ParseRequestTarget(std::string_view method, std::string_view target, RequestTarget* out);

// True when `value` is a Host header value: uri-host [":" port], where uri-host is a
// reg-name, an IPv4 address or a bracketed IP literal (RFC 3986 characters only; no
// space, '/', '@' or '?'). An empty value is allowed (RFC 9112 §3.2).
bool IsValidHostHeader(std::string_view value);

// Percent-decodes `text`; with `plus_is_space` a '+' becomes ' ' (query strings).
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace imagine

#endif  // IMAGINE_HTTP_REQUEST_TARGET_H_
