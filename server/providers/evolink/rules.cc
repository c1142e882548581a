#include "providers/evolink/rules.h"

#include <string>

#include "common/url.h"
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
  auto url = SplitUrl(it->get_ref<const std::string&>());
  if (url.ok() && IsPrivateHost(url->host)) {
    return CallbackFail("callback_url_public", "must not point to a loopback, private or link-local address", *it);
  }
  return Status::Ok();
}

}  // namespace

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
