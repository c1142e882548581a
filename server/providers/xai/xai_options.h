// xAI dialect options (config section `xai:`), filled once at start-up.
#ifndef IMAGINE_PROVIDERS_XAI_XAI_OPTIONS_H_
#define IMAGINE_PROVIDERS_XAI_XAI_OPTIONS_H_

#include <map>
#include <string>

#include "engine/engine_options.h"
#include "engine/provider.h"
#include "providers/common/request_body.h"

namespace imagine {

// What one more second of video costs at one resolution (`xai.per_second.<480p|720p>`).
struct XaiPerSecond {
  double price = 0;          // credits (US dollars for xAI) per second of video
  double total_min_s = 0;    // generation time added per second of video, drawn from [min, max]
  double total_max_s = 0;
};

struct XaiOptions {
  Provider provider;  // its registered id (engine/provider.h)
  // Accept image.url on loopback/private hosts (and fetch from them with inputs.fetch: on).
  // Off by default: a public service cannot reach them (the Evolink policy).
  bool allow_private_images = false;
  // Accept output.upload_url as http:// or on loopback/private hosts (local receivers), and
  // PUT to them. Off by default: https and public hosts only (the callbacks' policy).
  bool allow_private_uploads = false;
  std::map<std::string, ModelOptions> models;  // by model name: the flat part of price and timing
  std::map<int, XaiPerSecond> per_second;      // by video height (480, 720)
  RequestValidation validation;
};

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_XAI_XAI_OPTIONS_H_
