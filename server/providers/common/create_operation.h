// Start-up check both dialects run on their create operation: the spec declares a JSON
// body and per-model schemas (x-emulator-models), and the config has ModelOptions for
// every one of those models. Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_COMMON_CREATE_OPERATION_H_
#define IMAGINE_PROVIDERS_COMMON_CREATE_OPERATION_H_

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/engine_options.h"
#include "spec/openapi.h"

namespace imagine {

// The operation `operation_id` of `spec`, checked as above; `config_section` names the
// config map in errors (e.g. "apikley.models").
StatusOr<const OpenApiOperation*> FindCreateOperation(const OpenApiDocument& spec, std::string_view operation_id,
                                                      const std::map<std::string, ModelOptions>& models,
                                                      std::string_view config_section);

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_COMMON_CREATE_OPERATION_H_
