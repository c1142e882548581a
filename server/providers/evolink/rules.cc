#include "providers/evolink/rules.h"

#include <string>

#include "common/text.h"
#include "common/url.h"

namespace imagine::evolink {
namespace {

// Seed: "Only HTTPS protocol supported".
Status CallbackIsHttps(const RuleContext& ctx) {
  auto it = ctx.body.find("callback_url");
  if (it == ctx.body.end() || StartsWithNoCase(it->get_ref<const std::string&>(), "https://")) return Status::Ok();
  return RuleViolation("callback_url_https", "/callback_url", "must use HTTPS", &*it);
}

// Seed: "Callback to internal IPs prohibited (127.0.0.1, 10.x.x.x, 172.16-31.x.x, 192.168.x.x, etc.)".
Status CallbackIsPublic(const RuleContext& ctx) {
  auto it = ctx.body.find("callback_url");
  if (it == ctx.body.end()) return Status::Ok();
  auto url = SplitUrl(it->get_ref<const std::string&>());
  if (!url.ok() || !IsPrivateHost(url->host)) return Status::Ok();
  return RuleViolation("callback_url_public", "/callback_url",
                       "must not point to a loopback, private or link-local address", &*it);
}

}  // namespace

std::vector<Rule> Rules(const EvolinkOptions& options) {
  // evolink.allow_private_callbacks lifts both rules, for local receivers.
  if (options.allow_private_callbacks) return {};
  return {
      {"callback_url_https", nullptr, &CallbackIsHttps},
      {"callback_url_public", nullptr, &CallbackIsPublic},
  };
}

}  // namespace imagine::evolink
