#include "providers/common/rules.h"

#include "common/text.h"

namespace imagine {

Status CheckRules(const std::vector<Rule>& rules, RuleContext& ctx) {
  for (const Rule& rule : rules) {
    if (rule.model != nullptr && ctx.model != rule.model) continue;
    IMAGINE_RETURN_IF_ERROR(rule.check(ctx));
  }
  return Status::Ok();
}

Status RuleViolation(const char* rule, const char* pointer, std::string message, const nlohmann::json* value) {
  return InvalidArgument(std::move(message), Violation{pointer, rule, value != nullptr ? TruncatedJson(*value) : ""});
}

}  // namespace imagine
