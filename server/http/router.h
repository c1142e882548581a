// Router: maps (method, path) to a handler. Static paths are one hash lookup; paths with
// "{name}" segments are matched segment by segment. Built once at start-up, then
// read-only and safe to share between request threads.
#ifndef IMAGINE_HTTP_ROUTER_H_
#define IMAGINE_HTTP_ROUTER_H_

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/api.h"
#include "common/status.h"
#include "http/api_surface.h"

namespace imagine {

struct RouteEntry {
  std::string method;        // "GET", "POST", ...
  std::string path;          // "/v1/tasks/{task_id}", the mount base included ("/evolink/v1/...")
  std::string operation_id;  // for logs and the journal
  const ApiSurface* surface = nullptr;  // renders errors and owns the spec; null for plain routes
  Handler handler;
  std::string base = {};     // the mount base the route is under ("" = the root); see ApiSurface::MountBases
};

class Router {
 public:
  // Adds one route per operation of `surface`'s spec at `base` + its path, bound to the
  // handler of the same operationId. Fails when an operation has no handler or a handler no
  // operation, or a route is taken.
  Status Mount(ApiSurface* surface, std::string_view base = {});
  // Mount() under each of the surface's MountBases().
  Status MountAtBases(ApiSurface* surface);

  // Adds a route; kInvalidArgument when the same method and path is already taken.
  Status Add(RouteEntry entry);

  struct Match {
    const RouteEntry* entry = nullptr;
    std::vector<std::pair<std::string_view, std::string_view>> params;  // views into `path`
    bool path_known = false;  // some route has this path, maybe with another method
  };
  // Finds the route for `method` and `path`; Match.entry is null when none.
  Match Find(std::string_view method, std::string_view path) const;

 private:
  struct Templated {
    std::vector<std::string> segments;  // "{x}" marks a parameter
    RouteEntry entry;
  };
  std::unordered_map<std::string, std::vector<RouteEntry>> static_;  // path -> routes by method
  std::vector<Templated> templated_;
};

}  // namespace imagine

#endif  // IMAGINE_HTTP_ROUTER_H_
