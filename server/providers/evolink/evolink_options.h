// Evolink dialect options (config section `evolink:`), filled once at start-up.
#ifndef IMAGINE_PROVIDERS_EVOLINK_EVOLINK_OPTIONS_H_
#define IMAGINE_PROVIDERS_EVOLINK_EVOLINK_OPTIONS_H_

#include <map>
#include <string>

#include "engine/engine_options.h"
#include "engine/provider.h"
#include "providers/common/request_body.h"

namespace imagine {

struct EvolinkOptions {
  Provider provider;  // its registered id (engine/provider.h)
  // Accept callback_url on http:// and on loopback/private hosts (local receivers).
  // Off by default: the real service refuses them (seed: "Only HTTPS", "internal IPs prohibited").
  bool allow_private_callbacks = false;
  // Accept image_urls on loopback/private hosts (and fetch from them with inputs.fetch: on).
  // Off by default: the same policy as callbacks (a public service cannot reach them).
  bool allow_private_images = false;
  std::map<std::string, ModelOptions> models;  // by reported model name
  RequestValidation validation;
};

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_EVOLINK_EVOLINK_OPTIONS_H_
