// Cross-field rules: what a provider's OpenAPI schema cannot say (one image source, no
// spicy with external images, HTTPS-only callbacks, ...). Each provider has a small named
// table of them; the shared request flow runs the table after schema validation (defaults
// applied) and before the scenario gate. Rule functions are pure apart from task lookups;
// thread-safe.
#ifndef IMAGINE_PROVIDERS_COMMON_RULES_H_
#define IMAGINE_PROVIDERS_COMMON_RULES_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"

namespace imagine {

struct RuleContext {
  const nlohmann::json& body;    // validated request, defaults applied
  const std::string& model;      // the model, aliases resolved
  std::string_view api_key;      // the caller
  int64_t now_ms = 0;            // the request's instant
  const Engine* engine = nullptr;  // for rules that look tasks up; may be null in tests
  std::optional<Task> source;    // set by a rule that resolves the task the request refers to
};

struct Rule {
  const char* name;   // also the `rule` of the Violation it returns
  const char* model;  // the model it applies to; nullptr = every model
  std::function<Status(RuleContext& ctx)> check;
};

// Runs the rules that apply to ctx.model, in order; the first failure wins.
Status CheckRules(const std::vector<Rule>& rules, RuleContext& ctx);

// kInvalidArgument for rule `rule` at `pointer`, with the offending `value` (null = none).
Status RuleViolation(const char* rule, const char* pointer, std::string message, const nlohmann::json* value);

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_COMMON_RULES_H_
