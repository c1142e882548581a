// Apikley's cross-field rules: what the OpenAPI schema cannot say (api-reference §1.3,
// §4.10). A small named table (Rule, providers/dialect.h); each rule names the field in
// its error. Thread-safe.
#ifndef IMAGINE_PROVIDERS_APIKLEY_RULES_H_
#define IMAGINE_PROVIDERS_APIKLEY_RULES_H_

#include <vector>

#include "providers/dialect.h"

namespace imagine::apikley {

// Every Apikley rule, in the order they run. The source-task rules need ctx.engine and
// set ctx.source to the task they refer to.
const std::vector<Rule>& Rules();

}  // namespace imagine::apikley

#endif  // IMAGINE_PROVIDERS_APIKLEY_RULES_H_
