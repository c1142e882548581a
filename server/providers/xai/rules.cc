#include "providers/xai/rules.h"

#include <string>

#include "common/text.h"
#include "common/url.h"
#include "providers/common/data_uri.h"

namespace imagine::xai {
namespace {

// The string at body[outer][inner], or null.
const nlohmann::json* Nested(const nlohmann::json& body, const char* outer, const char* inner) {
  auto o = body.find(outer);
  if (o == body.end() || !o->is_object()) return nullptr;
  auto i = o->find(inner);
  return i != o->end() && i->is_string() ? &*i : nullptr;
}

// The callbacks' policy for input images (emulator choice, README), as Evolink's.
Status ImageIsPublic(const RuleContext& ctx) {
  const nlohmann::json* url = Nested(ctx.body, "image", "url");
  if (url == nullptr || IsDataUri(url->get_ref<const std::string&>())) return Status::Ok();
  auto parts = SplitUrl(url->get_ref<const std::string&>());
  if (!parts.ok() || !IsPrivateHost(parts->host)) return Status::Ok();
  return RuleViolation("image_url_public", "/image/url", "must not point to a loopback, private or link-local address",
                       url);
}

// X-GEN: a signed URL the service PUTs the video to; https with a host (or http too with
// xai.allow_private_uploads, for a local receiver).
template <bool kAllowHttp>
Status UploadUrlIsHttps(const RuleContext& ctx) {
  const nlohmann::json* url = Nested(ctx.body, "output", "upload_url");
  if (url == nullptr) return Status::Ok();
  auto parts = SplitUrl(url->get_ref<const std::string&>());
  const bool scheme_ok = parts.ok() && (EqualsNoCase(parts->scheme, "https") ||
                                        (kAllowHttp && EqualsNoCase(parts->scheme, "http")));
  if (scheme_ok && !parts->host.empty()) return Status::Ok();
  return RuleViolation("upload_url_https", "/output/upload_url",
                       kAllowHttp ? "must be an http(s) URL with a host" : "must be an https URL with a host", url);
}

// The PUT follows the callbacks' policy (emulator choice, README): no loopback, private or
// link-local host unless xai.allow_private_uploads.
Status UploadUrlIsPublic(const RuleContext& ctx) {
  const nlohmann::json* url = Nested(ctx.body, "output", "upload_url");
  if (url == nullptr) return Status::Ok();
  auto parts = SplitUrl(url->get_ref<const std::string&>());
  if (!parts.ok() || !IsPrivateHost(parts->host)) return Status::Ok();
  return RuleViolation("upload_url_public", "/output/upload_url",
                       "must not point to a loopback, private or link-local address", url);
}

}  // namespace

std::vector<Rule> Rules(const XaiOptions& options) {
  std::vector<Rule> rules;
  // xai.allow_private_images lifts the image rule, for local image servers.
  if (!options.allow_private_images) rules.push_back({"image_url_public", nullptr, &ImageIsPublic});
  if (options.allow_private_uploads) {
    rules.push_back({"upload_url_https", nullptr, &UploadUrlIsHttps<true>});
  } else {
    rules.push_back({"upload_url_https", nullptr, &UploadUrlIsHttps<false>});
    rules.push_back({"upload_url_public", nullptr, &UploadUrlIsPublic});
  }
  return rules;
}

}  // namespace imagine::xai
