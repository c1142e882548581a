#include "http/router.h"

#include <map>

namespace imagine {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool IsParam(std::string_view seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

}  // namespace

Status Router::MountAtBases(ApiSurface* surface) {
  for (const std::string& base : surface->MountBases()) IMAGINE_RETURN_IF_ERROR(Mount(surface, base));
  return Status::Ok();
}

Status Router::Mount(ApiSurface* surface, std::string_view base) {
  std::map<std::string, Handler> handlers = surface->Handlers();
  const OpenApiDocument& spec = surface->spec();
  for (const OpenApiOperation& op : spec.operations()) {
    auto it = handlers.find(op.operation_id);
    if (it == handlers.end()) {
      return InvalidArgument(spec.source_name() + ": operation '" + op.operation_id + "' has no handler");
    }
    IMAGINE_RETURN_IF_ERROR(
        Add(RouteEntry{op.method, std::string(base) + op.path, op.operation_id, surface, it->second, std::string(base)}));
    handlers.erase(it);
  }
  if (!handlers.empty()) {
    return InvalidArgument(spec.source_name() + ": no operation for handler '" + handlers.begin()->first + "'");
  }
  return Status::Ok();
}

Status Router::Add(RouteEntry entry) {
  if (entry.path.find('{') == std::string::npos) {
    auto& routes = static_[entry.path];
    for (const RouteEntry& r : routes) {
      if (r.method == entry.method) return InvalidArgument("duplicate route " + entry.method + " " + entry.path);
    }
    routes.push_back(std::move(entry));
    return Status::Ok();
  }
  for (const Templated& t : templated_) {
    if (t.entry.method == entry.method && t.entry.path == entry.path) {
      return InvalidArgument("duplicate route " + entry.method + " " + entry.path);
    }
  }
  Templated t;
  for (std::string_view seg : Split(entry.path)) t.segments.emplace_back(seg);
  t.entry = std::move(entry);
  templated_.push_back(std::move(t));
  return Status::Ok();
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  auto it = static_.find(std::string(path));
  if (it != static_.end()) {
    m.path_known = true;
    for (const RouteEntry& r : it->second) {
      if (r.method == method) {
        m.entry = &r;
        return m;
      }
    }
  }
  if (templated_.empty()) return m;
  std::vector<std::string_view> segs = Split(path);
  for (const Templated& t : templated_) {
    if (t.segments.size() != segs.size()) continue;
    std::vector<std::pair<std::string_view, std::string_view>> params;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const std::string& want = t.segments[i];
      if (IsParam(want)) {
        params.emplace_back(std::string_view(want).substr(1, want.size() - 2), segs[i]);
      } else {
        ok = want == segs[i];
      }
    }
    if (!ok) continue;
    m.path_known = true;
    if (t.entry.method == method) {
      m.entry = &t.entry;
      m.params = std::move(params);
      return m;
    }
  }
  return m;
}

}  // namespace imagine
