// Result downloads: GET /media/{task_id}/{file} serves the embedded fixture behind a
// finished task's result URL, or 404 once the link has expired (engine/media.h). No
// API key, as real result hosts. Thread-safe.
#ifndef IMAGINE_APP_RESULT_ROUTES_H_
#define IMAGINE_APP_RESULT_ROUTES_H_

#include <vector>

#include "engine/engine.h"
#include "http/router.h"

namespace imagine {

std::vector<RouteEntry> ResultRoutes(Engine* engine);

}  // namespace imagine

#endif  // IMAGINE_APP_RESULT_ROUTES_H_
