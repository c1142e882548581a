#include "app/result_routes.h"

#include "engine/media.h"

namespace imagine {

std::vector<RouteEntry> ResultRoutes(Engine* engine) {
  std::vector<RouteEntry> routes;
  routes.push_back({"GET", "/media/{task_id}/{file}", "downloadResult", nullptr, [engine](ApiRequest& req) {
                      ApiResponse r;
                      std::optional<Task> task = engine->GetTask(req.PathParam("task_id"));
                      StatusOr<MediaFile> file =
                          task ? ResolveMedia(*task, req.PathParam("file"), engine->NowMs(),
                                              engine->options().result_ttl_ms)
                               : StatusOr<MediaFile>(NotFound("no such result file"));
                      if (!file.ok()) {
                        r.status = file.status().code() == Code::kNotFound ? 404 : 500;
                        r.content_type = "text/plain";
                        r.body = file.status().message() + "\n";
                        return r;
                      }
                      r.content_type = std::string(file->content_type);
                      r.body.assign(file->bytes.data(), file->bytes.size());
                      r.headers.emplace_back("Cache-Control", "private, max-age=3600");
                      return r;
                    }});
  return routes;
}

}  // namespace imagine
