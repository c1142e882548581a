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

// True for `localhost` and literal loopback, private, link-local and unique-local
// addresses (127/8, 10/8, 172.16/12, 192.168/16, 169.254/16, 0/8, ::1, ::, fc00::/7,
// fe80::/10). Host names are not resolved.
bool IsPrivateHost(std::string_view host);

// The host part of an absolute URL ("" when there is none); IPv6 brackets removed.
std::string_view UrlHost(std::string_view url);

}  // namespace imagine::evolink

#endif  // IMAGINE_PROVIDERS_EVOLINK_RULES_H_
