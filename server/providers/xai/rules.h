// xAI's cross-field rules: what the OpenAPI schema cannot say — an image.url on a
// loopback/private host (the Evolink policy for input images, emulator choice) and an
// output.upload_url that is not https or on such a host (X-GEN: "Signed URL to upload the
// generated video via HTTP PUT"; both lifted by xai.allow_private_uploads). A small named
// table (Rule, providers/dialect.h). Thread-safe.
#ifndef IMAGINE_PROVIDERS_XAI_RULES_H_
#define IMAGINE_PROVIDERS_XAI_RULES_H_

#include <vector>

#include "providers/dialect.h"
#include "providers/xai/xai_options.h"

namespace imagine::xai {

// Every xAI rule under `options`, in the order they run.
std::vector<Rule> Rules(const XaiOptions& options);

}  // namespace imagine::xai

#endif  // IMAGINE_PROVIDERS_XAI_RULES_H_
