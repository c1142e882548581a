// Apikley dialect options (config section `apikley:`), filled once at start-up.
#ifndef IMAGINE_PROVIDERS_APIKLEY_APIKLEY_OPTIONS_H_
#define IMAGINE_PROVIDERS_APIKLEY_APIKLEY_OPTIONS_H_

#include <map>
#include <string>

#include "engine/engine_options.h"
#include "engine/provider.h"
#include "providers/common/request_body.h"

namespace imagine {

// Which HTTP status carries a response whose body `code` is not 200.
enum class ApikleyHttpStatus {
  kAlways200,   // as the live service: HTTP 200, the outcome is in the body `code` (api-reference §1.7)
  kMirrorCode,  // HTTP status = body code (401, 422, 455, ...)
};

// What recordInfo answers for a task id the key does not own or that does not exist.
enum class ApikleyUnknownTask {
  kRecordInfoNull,  // {code:422, msg:"recordInfo is null"} as observed live (api-reference §1.5, §4.4)
  kNotFound,        // {code:404, msg:"Task not found"} as documented
};

struct ApikleyOptions {
  Provider provider;  // its registered id (engine/provider.h)
  ApikleyHttpStatus http_status = ApikleyHttpStatus::kAlways200;
  ApikleyUnknownTask unknown_task = ApikleyUnknownTask::kRecordInfoNull;
  std::map<std::string, ModelOptions> models;  // by model name; every model in the spec needs one
  RequestValidation validation;
};

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_APIKLEY_APIKLEY_OPTIONS_H_
