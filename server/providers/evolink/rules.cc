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

// The callbacks' policy for input images (emulator choice, README): a public service
// cannot download from the caller's loopback or private network.
Status ImageIsPublic(const RuleContext& ctx) {
  auto it = ctx.body.find("image_urls");
  if (it == ctx.body.end() || !it->is_array() || it->empty() || !(*it)[0].is_string()) return Status::Ok();
  auto url = SplitUrl((*it)[0].get_ref<const std::string&>());
  if (!url.ok() || !IsPrivateHost(url->host)) return Status::Ok();
  return RuleViolation("image_url_public", "/image_urls/0", "must not point to a loopback, private or link-local address",
                       &(*it)[0]);
}

}  // namespace

std::vector<Rule> Rules(const EvolinkOptions& options) {
  std::vector<Rule> rules;
  // evolink.allow_private_callbacks lifts both callback rules, for local receivers;
  // evolink.allow_private_images the image rule, for local image servers.
  if (!options.allow_private_callbacks) {
    rules.push_back({"callback_url_https", nullptr, &CallbackIsHttps});
    rules.push_back({"callback_url_public", nullptr, &CallbackIsPublic});
  }
  if (!options.allow_private_images) rules.push_back({"image_url_public", nullptr, &ImageIsPublic});
  return rules;
}

}  // namespace imagine::evolink
