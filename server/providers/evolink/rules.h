// Evolink's cross-field rules: what the OpenAPI schema cannot say (seed callback_url
// "Security Restrictions"; api-reference §2.2, §4.16). A small named table (Rule,
// providers/dialect.h); each rule names the field in its error. Thread-safe.
#ifndef IMAGINE_PROVIDERS_EVOLINK_RULES_H_
#define IMAGINE_PROVIDERS_EVOLINK_RULES_H_

#include <vector>

#include "providers/dialect.h"
#include "providers/evolink/evolink_options.h"

namespace imagine::evolink {

// Every Evolink rule under `options`, in the order they run.
std::vector<Rule> Rules(const EvolinkOptions& options);

}  // namespace imagine::evolink

#endif  // IMAGINE_PROVIDERS_EVOLINK_RULES_H_
