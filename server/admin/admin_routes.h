// The emulator's own control routes under the reserved /_emulator/ prefix (never under
// a provider path): health, and reading or advancing the clock. Handlers only read the
// engine or go through its Scheduler; thread-safe.
#ifndef IMAGINE_ADMIN_ADMIN_ROUTES_H_
#define IMAGINE_ADMIN_ADMIN_ROUTES_H_

#include <vector>

#include "engine/engine.h"
#include "http/router.h"
#include "http/self_check.h"

namespace imagine {

// GET /_emulator/health, GET /_emulator/clock, POST /_emulator/clock/advance {"seconds": N}.
// `self_check` is reported by health.
std::vector<RouteEntry> AdminRoutes(Engine* engine, const SelfCheck* self_check);

}  // namespace imagine

#endif  // IMAGINE_ADMIN_ADMIN_ROUTES_H_
