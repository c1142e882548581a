#include "http/request_target.h"

namespace imagine {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool StartsWithNoCase(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_prefix[i]) return false;
  }
  return true;
}

// RFC 3986 unreserved, sub-delims, pct-encoded and the ':' '[' ']' of a port or IP literal.
bool IsHostChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-': case '.': case '_': case '~': case '!': case '$': case '&': case '\'': case '(': case ')':
    case '*': case '+': case ',': case ';': case '=': case '%': case ':': case '[': case ']':
      return true;
    default:
      return false;
  }
}

void SplitQuery(std::string_view origin, RequestTarget* out) {
  size_t q = origin.find('?');
  out->origin = std::string(origin);
  out->path = PercentDecode(origin.substr(0, q), false);
  if (q == std::string_view::npos) return;
  std::string_view query = origin.substr(q + 1);
  out->query = std::string(query);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      out->params.emplace(PercentDecode(pair.substr(0, eq), true),
                          eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

}  // namespace

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

bool IsValidHostHeader(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (!IsHostChar(c)) return false;
  }
  if (value.front() == ':') return false;  // a port without a host
  return true;
}

std::string ParseRequestTarget(std::string_view method, std::string_view target, RequestTarget* out) {
  for (size_t i = 0; i < target.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(target[i]);
    if (c >= 0x80) return "the request target has a byte above 0x7f (percent-encode it)";
    if (c == '#') return "the request target has a '#' (a fragment is never sent)";
    if (c == '%' && i + 2 < target.size() && target[i + 1] == '0' && target[i + 2] == '0') {
      return "the request target has a percent-encoded NUL (%00)";
    }
  }
  if (!target.empty() && target.front() == '/') {
    SplitQuery(target, out);
    return "";
  }
  if (target == "*" && method == "OPTIONS") {
    out->origin = "*";
    out->path = "*";
    return "";
  }
  size_t scheme = StartsWithNoCase(target, "http://") ? 7 : StartsWithNoCase(target, "https://") ? 8 : 0;
  if (scheme == 0) return "the request target must be a path (\"/...\") or an absolute http URL";
  std::string_view rest = target.substr(scheme);
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  if (authority.empty() || authority.find('@') != std::string_view::npos || !IsValidHostHeader(authority)) {
    return "the request target's authority must be host[:port]";
  }
  out->authority = std::string(authority);
  std::string origin = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (origin.front() == '?') origin.insert(0, "/");
  SplitQuery(origin, out);
  return "";
}

}  // namespace imagine
