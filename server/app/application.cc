#include "app/application.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "admin/admin_api.h"
#include "admin/admin_spec.h"
#include "app/config_document.h"
#include "app/result_routes.h"
#include "common/log.h"
#include "common/resources.h"
#include "common/url.h"
#include "engine/outages.h"
#include "providers/provider_catalog.h"
#include "providers/registry.h"
#include "spec/embedded_documents.h"

namespace imagine {
namespace {

std::string DefaultPublicUrl(const std::string& host, int port) {
  std::string h = host;
  if (h == "0.0.0.0" || h.empty()) h = "127.0.0.1";
  if (h == "::") h = "::1";
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return "http://" + h + ":" + std::to_string(port);
}

// The documents the emulator runs on, as GET /_emulator/openapi/{name} serves them: a
// provider's as loaded (from schemas.dir, with published models grafted in), else embedded.
StatusOr<std::vector<ServedDocument>> ServedDocuments(const std::vector<std::unique_ptr<ProviderSurface>>& providers) {
  std::vector<ServedDocument> out;
  std::vector<std::string> names = {"admin"};
  for (const auto& p : providers) names.emplace_back(p->name());
  names.emplace_back("config.schema");
  for (const std::string& base : names) {
    std::string resource = base == "config.schema" ? "schemas/config.schema.yaml" : "schemas/" + base + ".openapi.yaml";
    if (const ProviderPlugin* plugin = FindProviderPlugin(base)) resource = plugin->document;
    const OpenApiDocument* loaded = nullptr;
    for (const auto& p : providers) {
      if (p->name() == base) loaded = &p->spec();
    }
    const bool from_file = loaded != nullptr && (loaded->source_name() != resource || resource.front() == '/');
    if (from_file || (loaded != nullptr && loaded->document().contains("x-emulator-published"))) {
      std::ifstream in(loaded->source_name(), std::ios::binary);
      std::stringstream file;
      if (!loaded->document().contains("x-emulator-published") && in) file << in.rdbuf();
      const nlohmann::json* json = &loaded->document();  // dumped at each request for it
      if (file.str().empty()) {
        out.push_back(ServedDocument{base + ".yaml", "application/yaml", "", json});
      } else {
        out.push_back(ServedDocument{base + ".yaml", "application/yaml", file.str(), nullptr});
      }
      out.push_back(ServedDocument{base + ".json", "application/json", "", json});
      continue;
    }
    auto text = FindResource(resource);
    if (!text) return Internal(resource + " is not embedded in this build");
    // The JSON form is the document as the emulator runs on it (external $refs bundled in,
    // provider enums filled), already parsed: nothing is parsed again here, and it is dumped
    // only when asked for (each lives as long as the process or the providers).
    const nlohmann::json* json = nullptr;
    if (base == "config.schema") {
      json = &ConfigDocument::SchemaJson();  // with the keys and enums of every provider
    } else if (loaded != nullptr) {
      json = &loaded->document();
    } else {
      auto admin = AdminSpec();
      if (!admin.ok()) return admin.status();
      json = &(*admin)->document();
    }
    out.push_back(ServedDocument{base + ".yaml", "application/yaml", "", nullptr, *text});
    out.push_back(ServedDocument{base + ".json", "application/json", "", json});
  }
  return out;
}

// The Host names the control API answers: server.allowed_hosts, the host of the public URL
// (result links and the dashboard are reached under it) and the bind host when it is a name.
HostAllowList AllowedHosts(const Config& c, const std::string& public_url) {
  std::vector<std::string> names = c.server.allowed_hosts;
  auto own = [&names](std::string_view name) {  // exactly this name (never "all" or a ".domain")
    if (!name.empty() && name != kAllowAllHosts && name.front() != '.') names.emplace_back(name);
  };
  if (auto url = SplitUrl(public_url); url.ok()) own(url->host);
  own(c.server.host);
  return HostAllowList(names);
}

// Proxy mode and recordings (config section proxy:): the hub, the callback receiver, the
// replayed recordings and one ProxySurface per provider (with its upstream, if any).
Status WireProxy(const Config& c, const std::string& public_url, Engine* engine,
                 const std::vector<std::unique_ptr<ProviderSurface>>& providers, ProxyHub* hub,
                 int own_port, std::unique_ptr<WebhookSender>* sender,
                 std::vector<std::unique_ptr<ProxySurface>>* fronts) {
  UpstreamClientOptions upstream;
  upstream.allow_http = c.proxy.allow_http;
  upstream.timeout_ms = c.proxy.timeout_ms;
  upstream.body_limit_bytes = c.proxy.body_limit_bytes;
  upstream.verify_tls = c.callbacks.verify_tls;
  upstream.ca_file = c.callbacks.ca_file;
  if (c.proxy.capture_callbacks) {
    if (c.server.public_url.empty()) {
      return InvalidArgument("config: proxy.capture_callbacks needs server.public_url (--public-url): the provider "
                             "must reach the emulator's callback receiver from the internet");
    }
    // Forwarded callbacks never reach the emulator's own port (like every callback).
    *sender = std::make_unique<HttpWebhookSender>(
        WebhookSenderOptions{c.callbacks.verify_tls, c.callbacks.ca_file, {own_port}});
    hub->capture = std::make_unique<CallbackCapture>(public_url, sender->get(), &hub->drift, &engine->clock(),
                                                     c.proxy.timeout_ms, c.proxy.body_limit_bytes);
  }
  if (!c.proxy.replay_file.empty()) {
    auto doc = ReadRecordingsFile(c.proxy.replay_file);
    if (!doc.ok()) return InvalidArgument("config: proxy.replay_file: " + doc.status().message());
    Status loaded = hub->replayer.Load(*doc);
    if (!loaded.ok()) {
      return InvalidArgument("config: proxy.replay_file: " + c.proxy.replay_file + ": " + loaded.violation().pointer +
                             ": " + loaded.message());
    }
  }
  for (const auto& p : providers) {
    auto configured = c.providers.find(std::string(p->name()));
    const std::string url = configured != c.providers.end() ? configured->second.upstream : "";
    std::unique_ptr<UpstreamClient> client;
    if (!url.empty()) {
      auto made = MakeHttpUpstreamClient("config: proxy." + std::string(p->name()), url, upstream);
      if (!made.ok()) return made.status();
      client = std::move(made).value();
      hub->proxying = true;
    }
    fronts->push_back(std::make_unique<ProxySurface>(p.get(), std::move(client), hub, &engine->clock(), c.validation));
  }
  return Status::Ok();
}

// A provider's own port (server.listen) that is the main port or another provider's is named
// before anything binds, instead of the second bind's "Address already in use" (0 = any free
// port, which never clashes).
Status CheckProviderPorts(int main_port, const std::map<std::string, int>& listen) {
  std::map<int, std::string> taken;
  for (const auto& [provider, own_port] : listen) {
    if (own_port == 0) continue;
    const std::string where = "config: server.listen." + provider + ": port " + std::to_string(own_port);
    if (own_port == main_port) {
      return InvalidArgument(where + " is the main port (server.port); a provider needs a port of its own");
    }
    auto [it, fresh] = taken.emplace(own_port, provider);
    if (!fresh) {
      return InvalidArgument(where + " is server.listen." + it->second + "'s too; each provider needs a port of its own");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Application>> Application::Create(Config config) {
  std::unique_ptr<Application> app(new Application());
  app->config_ = std::move(config);
  // The parts, each built from the ones before it, in this order (each step's comment says
  // what it makes). Connect() then makes the links that close a cycle, which no order can
  // pass in: the server is bound before the surfaces it serves exist (the bound port is in
  // the default public URL that the engine and the providers need), and the activity
  // observes the engine, the callback dispatcher and the server, which it also drives.
  IMAGINE_RETURN_IF_ERROR(app->BindServer());
  IMAGINE_RETURN_IF_ERROR(app->MakeEngine());
  IMAGINE_RETURN_IF_ERROR(app->MakeRecorders());
  IMAGINE_RETURN_IF_ERROR(app->MakeProviders());
  IMAGINE_RETURN_IF_ERROR(app->MakeAdmin());
  app->Connect();
  return app;
}

// self_check_, server_ (bound), public_url_.
Status Application::BindServer() {
  const Config& c = config_;
  HttpServerOptions http;
  http.host = c.server.host;
  http.port = c.server.port;
  http.threads = c.server.threads;
  http.keep_alive_max_requests = c.server.keep_alive_max_requests;
  http.keep_alive_timeout_s = c.server.keep_alive_timeout_s;
  http.read_timeout_s = c.server.read_timeout_s;
  http.write_timeout_s = c.server.write_timeout_s;
  http.body_limit_bytes = c.server.body_limit_bytes;
  // A state directory counts whatever its fsync policy: a compaction writes the snapshot
  // under the engine's lock, which creates and queries wait for.
  http.handlers_wait = c.inputs.fetch || !c.state.dir.empty() ||
                       std::any_of(c.providers.begin(), c.providers.end(),
                                   [](const auto& p) { return !p.second.upstream.empty(); });
  IMAGINE_RETURN_IF_ERROR(CheckProviderPorts(c.server.port, c.server.listen));
  self_check_ = std::make_unique<SelfCheck>(c.self_check);
  server_ = std::make_unique<HttpServer>(http, &router_, self_check_.get());
  IMAGINE_RETURN_IF_ERROR(server_->Bind());
  public_url_ = c.server.public_url.empty() ? DefaultPublicUrl(c.server.host, port()) : c.server.public_url;
  const std::vector<std::string> known = ProviderNamesInCatalog();
  for (const auto& [provider, own_port] : c.server.listen) {
    if (std::find(known.begin(), known.end(), provider) == known.end()) {
      std::string names;
      for (const std::string& n : known) names += (names.empty() ? "" : ", ") + n;
      return InvalidArgument("config: server.listen." + provider + ": no such provider (expected one of: " + names + ")");
    }
    auto served = std::make_unique<ProviderPort>();
    served->provider = provider;
    HttpServerOptions own = http;
    own.port = own_port;
    served->server = std::make_unique<HttpServer>(own, &served->router, self_check_.get());
    Status bound = served->server->Bind();
    if (!bound.ok()) return Status(bound.code(), "server.listen." + provider + ": " + bound.message());
    provider_ports_.push_back(std::move(served));
  }
  return Status::Ok();
}

std::vector<std::pair<std::string, int>> Application::provider_ports() const {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& p : provider_ports_) out.emplace_back(p->provider, p->server->port());
  return out;
}

// engine_ (configured), state_ (the engine restored from it; changes are logged from
// Connect() on).
Status Application::MakeEngine() {
  const Config& c = config_;
  EngineOptions engine_options;
  engine_options.seed = c.seed;
  engine_options.result_ttl_ms = c.result_ttl_s * 1000;
  engine_options.public_url = public_url_;
  engine_options.max_stored_tasks = c.max_stored_tasks;
  engine_options.max_stored_bytes = c.max_stored_bytes;
  std::unique_ptr<Clock> clock;
  if (c.clock.mode == ClockMode::kVirtual) {
    clock = std::make_unique<VirtualClock>(c.clock.start_ms);
  } else {
    clock = std::make_unique<RealClock>(c.clock.time_scale, c.clock.start_ms);
  }
  auto catalog = Scenarios::EmbeddedCatalog();
  if (!catalog.ok()) return catalog.status();
  engine_ = std::make_unique<Engine>(engine_options, std::move(clock), c.accounts, std::move(catalog).value());
  std::vector<ScenarioRule> rules = c.scenario_rules;  // the outages of the config match after its rules
  for (size_t i = 0; i < c.outages.size(); ++i) {
    const OutageConfig& o = c.outages[i];
    const std::string where = "config: scenarios.outages[" + std::to_string(i) + "]: ";
    std::optional<Provider> provider = FindProvider(o.provider);
    if (!provider) return InvalidArgument(where + "provider: unknown provider \"" + o.provider + "\"");
    auto rule = MakeOutageRule(*provider, o.kind, o.for_s, o.times);
    if (!rule.ok()) return InvalidArgument(where + rule.status().message());
    rules.push_back(std::move(rule).value());
  }
  IMAGINE_RETURN_IF_ERROR(engine_->Configure(rules, c.chaos));
  if (!c.state.dir.empty()) {
    StateOptions state_options = c.state;
    if (const char* fault = std::getenv("IMAGINE_STATE_FAULT_FILE_FOR_TEST")) state_options.fault_file_for_test = fault;
    auto state = StateDir::Open(state_options, engine_.get());
    if (!state.ok()) return state.status();
    state_ = std::move(state).value();
  }
  for (const auto& [key, profile] : c.accounts.keys) {
    if (profile.default_scenario.empty()) continue;
    auto armed = engine_->scenarios().Arm(profile.default_scenario, "profile");
    if (!armed.ok()) return InvalidArgument("config: accounts.keys." + key + ".default_scenario: " + armed.status().message());
  }
  return Status::Ok();
}

// journal_, metrics_, callbacks_: what records and reports the run.
Status Application::MakeRecorders() {
  const Config& c = config_;
  Status callbacks_ok = CheckCallbackOptions(c.callbacks);
  if (!callbacks_ok.ok()) return InvalidArgument("config: callbacks: " + callbacks_ok.message());
  journal_ = std::make_unique<Journal>(c.journal);
  metrics_ = std::make_unique<Metrics>();
  CallbackOptions callbacks = c.callbacks;
  callbacks.own_ports.push_back(port());  // callbacks never reach the emulator itself
  for (const auto& p : provider_ports_) callbacks.own_ports.push_back(p->server->port());
  callbacks_ = std::make_unique<CallbackDispatcher>(callbacks, &engine_->clock(), &engine_->timers());
  return Status::Ok();
}

// image_fetcher_, providers_, proxy_ and fronts_ (mounted), activity_ (which words each
// provider's callbacks).
Status Application::MakeProviders() {
  const Config& c = config_;
  if (c.inputs.fetch) {
    ImageFetchOptions inputs = c.inputs;
    inputs.own_ports.push_back(port());  // input images never come from the emulator itself
    for (const auto& p : provider_ports_) inputs.own_ports.push_back(p->server->port());
    image_fetcher_ = std::make_unique<HttpImageFetcher>(inputs);
  }
  // The providers are served through their ProxySurfaces (recordings, proxy mode), so
  // the registry mounts them on a router of its own that is not served.
  Router unserved;
  ProviderOptions provider_options{{}, c.validation, image_fetcher_.get(), c.schemas};
  for (const auto& [name, p] : c.providers) {
    ProviderSettings& settings = provider_options.providers[name];
    settings.section = p.section;
    settings.models = p.models;
  }
  auto providers = RegisterProviders(provider_options, engine_.get(), &unserved);
  if (!providers.ok()) return providers.status();
  providers_ = std::move(providers).value();
  proxy_ = std::make_unique<ProxyHub>();
  IMAGINE_RETURN_IF_ERROR(
      WireProxy(c, public_url_, engine_.get(), providers_, proxy_.get(), port(), &proxy_sender_, &fronts_));
  for (const auto& front : fronts_) IMAGINE_RETURN_IF_ERROR(router_.MountAtBases(front.get()));
  // A provider's own port: the root, and its bases as on the main port (/xai/v1/... too).
  for (auto& served : provider_ports_) {
    for (const auto& front : fronts_) {
      if (front->name() != served->provider) continue;
      served->bases.emplace_back("", front.get());
      const std::vector<std::string> main_bases = front->MountBases();
      if (std::find(main_bases.begin(), main_bases.end(), "") == main_bases.end()) served->main_base = main_bases.front();
      for (const std::string& base : main_bases) {
        if (!base.empty()) served->bases.emplace_back(base, front.get());
      }
      for (const auto& [base, surface] : served->bases) IMAGINE_RETURN_IF_ERROR(served->router.Mount(front.get(), base));
    }
  }
  if (proxy_->capture != nullptr) IMAGINE_RETURN_IF_ERROR(router_.Add(proxy_->capture->Route()));

  ActivityOptions activity;
  activity.log_format = c.log_json ? LogFormat::kJson : LogFormat::kText;
  for (const auto& [name, p] : c.providers) activity.callback_policies[InternProvider(name)] = p.callbacks;
  std::vector<const ProviderSurface*> provider_views;
  for (const auto& p : providers_) provider_views.push_back(p.get());
  activity_ = std::make_unique<Activity>(activity, engine_.get(), journal_.get(), metrics_.get(), callbacks_.get(),
                                         provider_views);
  return Status::Ok();
}

// admin_ (mounted) and the result routes.
Status Application::MakeAdmin() {
  const Config& c = config_;
  std::map<std::string, int> own_ports;
  for (const auto& [provider, own_port] : provider_ports()) own_ports[provider] = own_port;
  AdminOptions admin_options{c.admin_token,        c.admin_protect_health,       [&c] { return ConfigToJson(c); }, {},
                             AllowedHosts(c, public_url_), std::move(own_ports)};
  if (admin_options.allowed_hosts.allows_all() && c.admin_token.empty()) {
    Log(LogLevel::kWarn, "server.allowed_hosts: all — the control API answers any Host name, so a web page can "
                         "reach it through DNS rebinding; set an admin token (--admin-token) or list the names");
  }
  auto documents = ServedDocuments(providers_);
  if (!documents.ok()) return documents.status();
  admin_options.documents = std::move(documents).value();
  AdminContext admin{engine_.get(),   self_check_.get(), journal_.get(), metrics_.get(),
                     callbacks_.get(), proxy_.get(),     state_.get()};
  auto admin_api = AdminApi::Create(std::move(admin_options), admin);
  if (!admin_api.ok()) return admin_api.status();
  admin_ = std::move(admin_api).value();
  IMAGINE_RETURN_IF_ERROR(router_.Mount(admin_.get()));
  for (RouteEntry& r : ResultRoutes(engine_.get())) IMAGINE_RETURN_IF_ERROR(router_.Add(std::move(r)));
  return Status::Ok();
}

void Application::Connect() {
  std::vector<const ApiSurface*> surfaces;
  for (const auto& f : fronts_) surfaces.push_back(f.get());
  surfaces.push_back(admin_.get());
  server_->set_surfaces(std::move(surfaces));
  Activity* act = activity_.get();
  server_->set_request_observer([act](const RequestRecord& r) { act->OnRequest(r); });
  for (auto& served : provider_ports_) {
    served->server->set_surface_bases(served->bases);
    // Every path of a provider's own port is the provider's: unknown ones are answered in its envelope.
    if (!served->bases.empty()) served->server->set_fallback_surface(served->bases.front().second);
    served->server->set_request_observer(
        [act, main_base = served->main_base](const RequestRecord& r) { act->OnRequest(r, main_base); });
  }
  callbacks_->SetObserver([act](const CallbackAttempt& a) { act->OnCallbackAttempt(a); });
  engine_->SetJournal(journal_.get());
  engine_->SetObserver(act);
  if (state_) {  // from here on every change is logged
    engine_->SetStateLog(state_.get());
    engine_->ResumeRestoredTasks();
  }
}

Application::~Application() {
  Stop();
  if (engine_) engine_->StopTimers();
  if (callbacks_) callbacks_->Shutdown();
  if (engine_) engine_->SetStateLog(nullptr);
  state_.reset();  // stops compacting and syncs the log
}

void Application::Run() {
  std::vector<std::thread> others;
  for (auto& served : provider_ports_) others.emplace_back([s = served->server.get()] { s->Run(); });
  server_->Run();
  for (auto& served : provider_ports_) served->server->Stop();
  for (std::thread& t : others) t.join();
}

void Application::Stop() {
  if (server_) server_->Stop();
  for (auto& served : provider_ports_) served->server->Stop();
}

Status Application::WriteReports() const {
  if (config_.proxy.drift_report.empty() || proxy_ == nullptr) return Status::Ok();
  return proxy_->drift.WriteReport(config_.proxy.drift_report);
}

}  // namespace imagine
