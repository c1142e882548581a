#include "admin/host_allow_list.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace imagine {
namespace {

std::string Normalized(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The name in a Host value (RFC 9110 §7.2: uri-host [":" port]), "" for an IP literal
// (IPv4 dotted quad or bracketed IPv6), nullopt when the value is malformed.
std::optional<std::string> HostName(std::string_view value) {
  if (!value.empty() && value.front() == '[') {
    const size_t close = value.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string literal(value.substr(1, close - 1));
    const std::string_view rest = value.substr(close + 1);
    in6_addr v6{};
    if (inet_pton(AF_INET6, literal.c_str(), &v6) != 1) return std::nullopt;
    if (!rest.empty() && (rest.front() != ':' || !AllDigits(rest.substr(1)))) return std::nullopt;
    return std::string();
  }
  const size_t colon = value.find(':');
  if (colon != std::string_view::npos && !AllDigits(value.substr(colon + 1))) return std::nullopt;
  const std::string_view name = value.substr(0, colon);
  if (name.empty()) return std::nullopt;
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '-' || c == '.' || c == '_')) return std::nullopt;
  }
  in_addr v4{};
  if (inet_pton(AF_INET, std::string(name).c_str(), &v4) == 1) return std::string();
  std::string normalized = Normalized(name);
  if (normalized.empty()) return std::nullopt;  // "."
  return normalized;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

HostAllowList::HostAllowList(const std::vector<std::string>& entries) {
  for (const std::string& entry : entries) {
    if (entry == kAllowAllHosts) {
      all_ = true;
    } else if (!entry.empty() && entry.front() == '.') {
      std::string domain = Normalized(entry);
      if (domain.size() > 1) domains_.push_back(std::move(domain));  // "." would allow every name
    } else if (std::string name = Normalized(entry); !name.empty()) {
      names_.push_back(std::move(name));
    }
  }
}

bool HostAllowList::Allows(std::string_view host_header) const {
  if (all_ || host_header.empty()) return true;
  const std::optional<std::string> name = HostName(host_header);
  if (!name) return false;
  if (name->empty()) return true;  // an IP literal
  if (*name == "localhost" || EndsWith(*name, ".localhost")) return true;
  if (std::find(names_.begin(), names_.end(), *name) != names_.end()) return true;
  for (const std::string& domain : domains_) {
    if (EndsWith(*name, domain) || *name == domain.substr(1)) return true;
  }
  return false;
}

}  // namespace imagine
