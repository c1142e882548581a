// The Apikley dialect: the Kie.ai-style "Market" jobs API — createTask, recordInfo and
// chat/credit (api-reference §1) — as the parts where it differs from the shared request
// flow (providers/common/provider_surface.h): the rules table, upscale outputs, and the
// {code, msg, data} envelope. Immutable; thread-safe.
#ifndef IMAGINE_PROVIDERS_APIKLEY_APIKLEY_DIALECT_H_
#define IMAGINE_PROVIDERS_APIKLEY_APIKLEY_DIALECT_H_

#include <memory>

#include "providers/apikley/apikley_options.h"
#include "providers/dialect.h"

namespace imagine {

std::unique_ptr<const Dialect> MakeApikleyDialect(ApikleyOptions options);

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_APIKLEY_APIKLEY_DIALECT_H_
