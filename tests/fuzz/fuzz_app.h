// Shared by the fuzz targets that drive whole requests: one in-process emulator (virtual
// clock, no HTTP: requests go straight to the router, as HttpServer::Handle would send
// them) and a helper that answers one request. Built only with -DIMAGINE_FUZZ=ON.
#ifndef IMAGINE_TESTS_FUZZ_FUZZ_APP_H_
#define IMAGINE_TESTS_FUZZ_FUZZ_APP_H_

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/application.h"
#include "app/config.h"

namespace imagine::fuzz {

inline Application& App() {
  static Application* app = [] {
    auto config = LoadConfig("");
    if (!config.ok()) std::abort();
    // Port 0: a fuzz run must not take 8080 from an emulator or a test on the same machine.
    Status s = ApplyConfigYaml("clock: {mode: virtual, start_ms: 1760000000000}\nserver: {port: 0}\nlog_level: error\n",
                               "fuzz", &*config);
    if (!s.ok()) s = ApplyConfigYaml("clock: {mode: virtual, start_ms: 1760000000000}\nserver: {port: 0}\n", "fuzz", &*config);
    if (!s.ok()) std::abort();
    auto created = Application::Create(std::move(config).value());  // binds 127.0.0.1:0, never serves
    if (!created.ok()) std::abort();
    return created.value().release();  // lives for the process
  }();
  return *app;
}

// Answers one request; the Router finds the route as the HTTP server would.
inline ApiResponse Call(const std::string& method, const std::string& path, const std::string& body,
                        std::vector<std::pair<std::string, std::string>> headers,
                        const ApiRequest::QueryMap& query = {}) {
  const Router& router = App().router();
  Router::Match m = router.Find(method, path);
  if (m.entry == nullptr) {
    ApiResponse none;
    none.status = 404;
    return none;
  }
  ApiRequest req;
  req.method = method;
  req.path = path;
  req.body = body;
  req.request_id = "req_fuzz";
  req.query = &query;
  req.path_params = m.params;
  for (const auto& [k, v] : headers) req.headers.emplace_back(k, v);
  return m.entry->handler(req);
}

// Forgets every task now and then, so a long run does not grow the store without bound.
inline void MaybeReset() {
  static unsigned n = 0;
  if (++n % 2000 == 0) Call("POST", "/_emulator/reset", "{}", {{"Content-Type", "application/json"}});
}

}  // namespace imagine::fuzz

#endif  // IMAGINE_TESTS_FUZZ_FUZZ_APP_H_
