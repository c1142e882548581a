// The Evolink dialect: the OpenAI-style tasks API — POST /v1/videos/generations,
// GET /v1/tasks/{task_id} and GET /v1/credits (api-reference §2) — as the parts where it
// differs from the shared request flow (providers/common/provider_surface.h): the
// callback rules, duration and quality, and the task object that creation, queries and
// callbacks all answer with. Immutable; thread-safe.
#ifndef IMAGINE_PROVIDERS_EVOLINK_EVOLINK_DIALECT_H_
#define IMAGINE_PROVIDERS_EVOLINK_EVOLINK_DIALECT_H_

#include <memory>

#include "providers/dialect.h"
#include "providers/evolink/evolink_options.h"

namespace imagine {

std::unique_ptr<const Dialect> MakeEvolinkDialect(const EvolinkOptions& options);

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_EVOLINK_EVOLINK_DIALECT_H_
