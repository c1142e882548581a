#include "common/url.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>
#include <string>

namespace imagine {
namespace {

bool IsAlpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsHex(unsigned char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUnreserved(unsigned char c) { return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
bool IsSubDelim(unsigned char c) { return std::strchr("!$&'()*+,;=", c) != nullptr && c != '\0'; }

// True when `s` consists of unreserved / sub-delims / pct-encoded characters and those in `extra`.
bool AllUriChars(std::string_view s, const char* extra) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return false;
      if (!IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
      i += 2;
      continue;
    }
    if (IsUnreserved(c) || IsSubDelim(c)) continue;
    if (c == '\0' || std::strchr(extra, c) == nullptr) return false;
  }
  return true;
}

// SplitUrl without a Status (the format "uri" check runs for every URL in every request):
// false with *error set on a malformed URL.
bool Split(std::string_view url, UrlParts* out, const char** error) {
  UrlParts& p = *out;
  size_t i = 0;
  while (i < url.size() && (IsAlpha(url[i]) || (i > 0 && (IsDigit(url[i]) || url[i] == '+' || url[i] == '-' ||
                                                            url[i] == '.')))) {
    ++i;
  }
  if (i == 0 || i >= url.size() || url[i] != ':') {
    *error = "has no scheme";
    return false;
  }
  p.scheme = url.substr(0, i);
  std::string_view rest = url.substr(i + 1);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    p.has_fragment = true;
    p.fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    p.has_query = true;
    p.query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (rest.substr(0, 2) == "//") {
    p.has_authority = true;
    rest.remove_prefix(2);
    const size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    p.path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
      p.has_userinfo = true;
      p.userinfo = authority.substr(0, at);
      authority.remove_prefix(at + 1);
    }
    std::string_view after_host;
    if (!authority.empty() && authority.front() == '[') {
      const size_t close = authority.find(']');
      if (close == std::string_view::npos) {
        *error = "has an unterminated IPv6 host";
        return false;
      }
      p.ip_literal = true;
      p.host = authority.substr(1, close - 1);
      after_host = authority.substr(close + 1);
      if (!after_host.empty() && after_host.front() != ':') {
        *error = "has junk after the IPv6 host";
        return false;
      }
    } else {
      const size_t colon = authority.rfind(':');
      p.host = authority.substr(0, colon);
      after_host = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
    }
    if (!after_host.empty()) {
      p.has_port = true;
      p.port = after_host.substr(1);
    }
  } else {
    p.path = rest;
  }
  return true;
}

}  // namespace

StatusOr<UrlParts> SplitUrl(std::string_view url) {
  UrlParts p;
  const char* error = "";
  if (!Split(url, &p, &error)) return InvalidArgument(error);
  return p;
}

bool IsAbsoluteUri(std::string_view url) {
  UrlParts p;
  const char* error = "";
  if (!Split(url, &p, &error)) return false;
  if (p.has_authority) {
    if (p.has_userinfo && (!AllUriChars(p.userinfo, ":") || p.userinfo.find('@') != std::string_view::npos)) {
      return false;
    }
    if (p.ip_literal) {
      if (p.host.empty()) return false;
      for (unsigned char c : p.host) {
        if (!(IsHex(c) || c == ':' || c == '.' || c == 'v' || c == 'V' || IsUnreserved(c) || IsSubDelim(c))) {
          return false;
        }
      }
    } else if (!AllUriChars(p.host, "")) {
      return false;
    }
    for (unsigned char c : p.port) {
      if (!IsDigit(c)) return false;
    }
  }
  return AllUriChars(p.path, ":@/") && AllUriChars(p.query, ":@/?") && AllUriChars(p.fragment, ":@/?");
}

bool IsPrivateHost(std::string_view host) {
  std::string h(host);
  for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (h == "localhost" || (h.size() > 10 && h.compare(h.size() - 10, 10, ".localhost") == 0)) return true;
  in_addr v4{};
  // inet_aton also reads the short and numeric forms a client would connect to.
  if (inet_aton(h.c_str(), &v4) == 1) {
    const uint32_t a = ntohl(v4.s_addr);
    return (a >> 24) == 127 || (a >> 24) == 10 || (a >> 24) == 0 ||  // loopback, private, "this network"
           (a >> 20) == 0xAC1 || (a >> 16) == 0xC0A8 ||               // 172.16/12, 192.168/16
           (a >> 16) == 0xA9FE ||                                     // 169.254/16 link-local
           (a >> 22) == 0x191 ||                                      // 100.64/10 shared (CGNAT, cloud metadata)
           (a >> 17) == 0x6309 ||                                     // 198.18/15 benchmarking
           (a >> 28) == 0xF;                                          // 240/4 reserved, broadcast
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    const unsigned char* b = v6.s6_addr;
    static const unsigned char kZero[16] = {};
    // ::/96 holds :: and ::1 and the IPv4-compatible addresses (::a.b.c.d, deprecated by
    // RFC 4291 §2.5.5.1): none is a host anyone should reach.
    const bool compatible_or_loopback = std::memcmp(b, kZero, 12) == 0;
    bool mapped_v4 = std::memcmp(b, kZero, 10) == 0 && b[10] == 0xff && b[11] == 0xff;
    if (mapped_v4) {
      char text[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, b + 12, text, sizeof text);
      return IsPrivateHost(text);
    }
    return compatible_or_loopback || (b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80);
  }
  return false;
}

}  // namespace imagine
