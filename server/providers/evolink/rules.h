// Evolink's cross-field rules: what the OpenAPI schema cannot say (seed callback_url
// "Security Restrictions"; api-reference §2.2, §4.16). A small named table; each rule
// names the field in its error. Runs after schema validation. Thread-safe.
#ifndef IMAGINE_PROVIDERS_EVOLINK_RULES_H_
#define IMAGINE_PROVIDERS_EVOLINK_RULES_H_

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "providers/evolink/evolink_options.h"

namespace imagine::evolink {

struct RuleContext {
  const nlohmann::json& body;  // validated request, defaults applied
  const EvolinkOptions& options;
};

struct Rule {
  const char* name;  // also the `rule` of the Violation it returns
  Status (*check)(const RuleContext& ctx);
};

const std::vector<Rule>& Rules();
Status CheckRules(const RuleContext& ctx);

}  // namespace imagine::evolink

#endif  // IMAGINE_PROVIDERS_EVOLINK_RULES_H_
