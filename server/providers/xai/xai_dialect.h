// The xAI dialect: xAI's own Grok Imagine video API — POST /v1/videos/generations (a
// deferred request: {"request_id"}) and GET /v1/videos/{request_id} (HTTP 200 in every
// state) — as the parts where it differs from the shared request flow
// (providers/common/provider_surface.h): price and timing by resolution and duration, the
// result object, its {"code","error"} errors. No callbacks, no balance route. Served under
// /xai/v1/ only (schemas/xai.openapi.yaml serve_at_root: false). Immutable; thread-safe.
#ifndef IMAGINE_PROVIDERS_XAI_XAI_DIALECT_H_
#define IMAGINE_PROVIDERS_XAI_XAI_DIALECT_H_

#include <memory>

#include "providers/dialect.h"
#include "providers/xai/xai_options.h"

namespace imagine {

std::unique_ptr<const Dialect> MakeXaiDialect(const XaiOptions& options);

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_XAI_XAI_DIALECT_H_
