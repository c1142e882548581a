// Dialect: one provider as the shared request flow (providers/common/provider_surface.h)
// sees it — data and small functions. Its paths, schemas, id format and words come from
// the provider's OpenAPI document (`x-emulator-dialect`, see common/dialect_document.h);
// what cannot be data is here: its rules table, how a request shapes its task, and the
// renderers that put engine values into the provider's envelope. Each provider folder
// builds one (Make<Provider>Dialect); providers/registry.cc lists them. Immutable once
// built; its functions are thread-safe.
#ifndef IMAGINE_PROVIDERS_DIALECT_H_
#define IMAGINE_PROVIDERS_DIALECT_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/api.h"
#include "common/status.h"
#include "common/text.h"
#include "engine/accounts.h"
#include "engine/engine.h"
#include "engine/engine_options.h"
#include "engine/task.h"
#include "providers/common/request_body.h"
#include "providers/common/wording.h"

namespace imagine {

// A cross-field rule: what a provider's OpenAPI schema cannot say (one image source, no
// spicy with external images, HTTPS-only callbacks, ...). Each provider has a small named
// table of them; the flow runs the table after schema validation (defaults applied).
struct RuleContext {
  const nlohmann::json& body;    // validated request, defaults applied
  const std::string& model;      // the model, aliases resolved
  std::string_view api_key;      // the caller
  int64_t now_ms = 0;            // the request's instant
  const Engine* engine = nullptr;  // for rules that look tasks up; may be null in tests
  std::optional<Task> source;    // set by a rule that resolves the task the request refers to
  Provider provider;             // the provider the request came through
};

struct Rule {
  const char* name;   // also the `rule` of the Violation it returns
  const char* model;  // the model it applies to; nullptr = every model
  std::function<Status(RuleContext& ctx)> check;
};

// kInvalidArgument for rule `rule` at `pointer`, with the offending `value` (null = none).
// Runs the rules that apply to ctx.model, in order; the first failure wins.
inline Status CheckRules(const std::vector<Rule>& rules, RuleContext& ctx) {
  for (const Rule& rule : rules) {
    if (rule.model != nullptr && ctx.model != rule.model) continue;
    IMAGINE_RETURN_IF_ERROR(rule.check(ctx));
  }
  return Status::Ok();
}

inline Status RuleViolation(const char* rule, const char* pointer, std::string message, const nlohmann::json* value) {
  return InvalidArgument(std::move(message), Violation{pointer, rule, value != nullptr ? TruncatedJson(*value) : ""});
}

// What a renderer may use besides the task: the request's instant, the caller's profile
// (for a callback: the task owner's) and the provider's words.
struct RenderContext {
  int64_t now_ms = 0;
  std::string_view public_url;
  const KeyProfile& profile;
  const Wording& words;
  int64_t result_ttl_ms = 0;  // how long result links last after completion (tasks.result_ttl_s)
};

// How a provider's task callback goes out: a JSON POST when the task becomes terminal (a
// webhook), or a PUT of the result video when it has succeeded (xAI's output.upload_url).
struct CallbackShape {
  std::string method = "POST";                    // "POST" or "PUT"
  std::string content_type = "application/json";  // of the body CallbackBody gives
  bool only_on_success = false;                   // true: nothing is sent for a failed task
};

// Implemented once per provider; ProviderSurface calls it at the steps where providers
// differ. All functions are const and thread-safe.
class Dialect {
 public:
  // The data half.
  struct Traits {
    Provider provider;
    std::string spec_resource;   // the embedded OpenAPI document, e.g. "schemas/apikley.openapi.yaml"
    std::string models_section;  // the config map of `models`, named in start-up errors
    std::map<std::string, ModelOptions> models;  // by model name; every model of the spec needs one
    RequestValidation validation;
    std::vector<Rule> rules;             // run in order after schema validation
    std::set<std::string> wording_flags;  // the `when` flags of the error table that hold
    bool allow_private_images = true;     // fetch input images from loopback/private hosts
    bool allow_private_callbacks = true;  // deliver callbacks to loopback/private hosts
    CallbackShape callback{};             // how the callback goes out (see CallbackShape)
  };

  explicit Dialect(Traits traits) : traits_(std::move(traits)) {}
  virtual ~Dialect() = default;
  const Traits& traits() const { return traits_; }

  // Adjusts a new task from the validated request and the task a rule resolved (if any);
  // the flow has filled in everything else (owner, model, request, callback URL, outputs).
  virtual void ShapeTask(const nlohmann::json& body, const std::optional<Task>& source, NewTask* task) const {}
  virtual ApiResponse RenderCreated(const Task& task, const RenderContext& ctx) const = 0;
  virtual ApiResponse RenderTask(const Task& task, const RenderContext& ctx) const = 0;
  virtual ApiResponse RenderCredits(const Balance& balance, const RenderContext& ctx) const = 0;
  // An error in the provider's envelope, with its words chosen and its message phrased.
  virtual ApiResponse RenderError(const Status& status, const ErrorWords& words, const std::string& message) const = 0;
  // The body sent to the task's callback URL when it has just become terminal (as
  // traits().callback says: by default JSON, POSTed).
  virtual std::string CallbackBody(const Task& task, const RenderContext& ctx) const = 0;

 private:
  const Traits traits_;
};

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_DIALECT_H_
