// Application: builds the whole emulator from a Config — clock, engine, journal, metrics,
// callback dispatcher, providers, the admin API and the HTTP server — binds, serves and
// stops. main.cc and the benchmark use it. Stop() may be called from any thread.
#ifndef IMAGINE_APP_APPLICATION_H_
#define IMAGINE_APP_APPLICATION_H_

#include <memory>
#include <string>
#include <vector>

#include "admin/metrics.h"
#include "app/activity.h"
#include "app/config.h"
#include "callbacks/callback_dispatcher.h"
#include "engine/engine.h"
#include "engine/journal.h"
#include "http/http_server.h"
#include "http/router.h"
#include "http/self_check.h"
#include "providers/common/provider_surface.h"
#include "proxy/proxy_surface.h"
#include "state/state_dir.h"

namespace imagine {

class Application {
 public:
  // Binds the port and wires everything. kUnavailable when the port is busy;
  // kInvalidArgument/kInternal when a spec or the config does not fit.
  static StatusOr<std::unique_ptr<Application>> Create(Config config);
  // Stops serving, then the timers, then the callback workers.
  ~Application();

  int port() const { return server_->port(); }
  // The providers served on ports of their own too (server.listen, --listen), by name, with
  // the bound port.
  std::vector<std::pair<std::string, int>> provider_ports() const;
  const std::string& public_url() const { return public_url_; }
  const Config& config() const { return config_; }
  Engine& engine() { return *engine_; }
  // The routes, for in-process callers that skip HTTP (the fuzz targets in tests/fuzz/).
  const Router& router() const { return router_; }

  void Run();   // serves (the main port and every provider port) until Stop()
  void Stop();
  // After Run(): writes what the run leaves behind (proxy.drift_report). kInternal when a
  // file cannot be written; Ok when there is nothing to write.
  Status WriteReports() const;
  const ProxyHub& proxy() const { return *proxy_; }
  const StateDir* state() const { return state_.get(); }

 private:
  Application() = default;
  // The steps of Create, in order (application.cc says what each makes).
  Status BindServer();
  Status MakeEngine();
  Status MakeRecorders();
  Status MakeProviders();
  Status MakeAdmin();
  void Connect();  // the links that close a cycle: served surfaces, observers, the state log

  // Declaration order is construction order; ~Application shuts down explicitly first.
  Config config_;
  std::string public_url_;
  Router router_;
  std::unique_ptr<SelfCheck> self_check_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<StateDir> state_;  // null unless state.dir is set
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<CallbackDispatcher> callbacks_;
  std::unique_ptr<Activity> activity_;
  std::unique_ptr<ImageFetcher> image_fetcher_;  // null unless inputs.fetch: on
  std::vector<std::unique_ptr<ProviderSurface>> providers_;
  std::unique_ptr<ProxyHub> proxy_;
  std::unique_ptr<WebhookSender> proxy_sender_;            // posts captured callbacks on
  std::vector<std::unique_ptr<ProxySurface>> fronts_;      // what serves each provider's routes
  std::unique_ptr<ApiSurface> admin_;
  std::unique_ptr<HttpServer> server_;
  // A provider on a port of its own (server.listen): its routes at the root and under its
  // mount bases, on a server of its own that shares the main one's self-check and observer.
  struct ProviderPort {
    std::string provider;
    std::vector<std::pair<std::string, const ApiSurface*>> bases;  // filled by MakeProviders
    std::string main_base;  // where its root paths are on the main port: "/xai", or "" (served at the root there too)
    Router router;
    std::unique_ptr<HttpServer> server;
  };
  std::vector<std::unique_ptr<ProviderPort>> provider_ports_;
};

}  // namespace imagine

#endif  // IMAGINE_APP_APPLICATION_H_
