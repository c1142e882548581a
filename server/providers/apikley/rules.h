// Apikley's cross-field rules: what the OpenAPI schema cannot say (api-reference §1.3,
// §4.10). A small named table; each rule names the field in its error. Rules run after
// schema validation (defaults applied) and before the engine. Thread-safe.
#ifndef IMAGINE_PROVIDERS_APIKLEY_RULES_H_
#define IMAGINE_PROVIDERS_APIKLEY_RULES_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"

namespace imagine::apikley {

struct RuleContext {
  const nlohmann::json& body;  // validated request, defaults applied
  const std::string& model;
  std::string_view api_key;
  const Engine& engine;
  std::optional<Task> source;  // set by the source-task rules for the task they refer to
};

struct Rule {
  const char* name;   // also the `rule` of the Violation it returns
  const char* model;  // the model it applies to
  Status (*check)(RuleContext& ctx);
};

// Every Apikley rule, in the order they run.
const std::vector<Rule>& Rules();

// Runs the rules that apply to ctx.model; the first failure wins.
Status CheckRules(RuleContext& ctx);

}  // namespace imagine::apikley

#endif  // IMAGINE_PROVIDERS_APIKLEY_RULES_H_
