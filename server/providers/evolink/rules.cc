#include "providers/evolink/rules.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>
#include <string>

#include "providers/common/request_body.h"

namespace imagine::evolink {
namespace {

Status CallbackFail(const char* rule, std::string message, const nlohmann::json& value) {
  return InvalidArgument(std::move(message), Violation{"/callback_url", rule, TruncatedJson(value)});
}

// Seed: "Only HTTPS protocol supported".
Status CallbackIsHttps(const RuleContext& ctx) {
  auto it = ctx.body.find("callback_url");
  if (it == ctx.body.end() || ctx.options.allow_private_callbacks) return Status::Ok();
  if (!StartsWithNoCase(it->get_ref<const std::string&>(), "https://")) {
    return CallbackFail("callback_url_https", "must use HTTPS", *it);
  }
  return Status::Ok();
}

// Seed: "Callback to internal IPs prohibited (127.0.0.1, 10.x.x.x, 172.16-31.x.x, 192.168.x.x, etc.)".
Status CallbackIsPublic(const RuleContext& ctx) {
  auto it = ctx.body.find("callback_url");
  if (it == ctx.body.end() || ctx.options.allow_private_callbacks) return Status::Ok();
  if (IsPrivateHost(UrlHost(it->get_ref<const std::string&>()))) {
    return CallbackFail("callback_url_public", "must not point to a loopback, private or link-local address", *it);
  }
  return Status::Ok();
}

}  // namespace

std::string_view UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    return close == std::string_view::npos ? std::string_view() : rest.substr(1, close - 1);
  }
  return rest.substr(0, rest.find(':'));
}

bool IsPrivateHost(std::string_view host) {
  std::string h(host);
  for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (h == "localhost" || (h.size() > 10 && h.compare(h.size() - 10, 10, ".localhost") == 0)) return true;
  in_addr v4{};
  // inet_aton also reads the short and numeric forms a client would connect to
  // ("127.1", "2130706433", "0x7f.1").
  if (inet_aton(h.c_str(), &v4) == 1) {
    uint32_t a = ntohl(v4.s_addr);
    return (a >> 24) == 127 || (a >> 24) == 10 || (a >> 24) == 0 || (a >> 20) == 0xAC1 ||  // 172.16/12
           (a >> 16) == 0xC0A8 || (a >> 16) == 0xA9FE;                                    // 192.168/16, 169.254/16
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    const unsigned char* b = v6.s6_addr;
    static const unsigned char kZero[16] = {};
    bool loopback_or_any = std::memcmp(b, kZero, 15) == 0 && (b[15] == 1 || b[15] == 0);
    bool mapped_v4 = std::memcmp(b, kZero, 10) == 0 && b[10] == 0xff && b[11] == 0xff;
    if (mapped_v4) {
      char text[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, b + 12, text, sizeof text);
      return IsPrivateHost(text);
    }
    return loopback_or_any || (b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80);
  }
  return false;
}

const std::vector<Rule>& Rules() {
  static const std::vector<Rule> kRules = {
      {"callback_url_https", &CallbackIsHttps},
      {"callback_url_public", &CallbackIsPublic},
  };
  return kRules;
}

Status CheckRules(const RuleContext& ctx) {
  for (const Rule& rule : Rules()) IMAGINE_RETURN_IF_ERROR(rule.check(ctx));
  return Status::Ok();
}

}  // namespace imagine::evolink
