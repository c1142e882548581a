// Activity: where what the emulator does is recorded and acted on. It receives every
// served request (HttpServer), every finished task (Engine's TaskObserver) and every
// callback attempt (CallbackDispatcher), and turns them into journal entries, metrics, one
// log line per request, and — when a task with a callback URL finishes — a callback
// delivery in the provider's own payload. (The engine journals and counts task states
// itself.) Thread-safe.
#ifndef IMAGINE_APP_ACTIVITY_H_
#define IMAGINE_APP_ACTIVITY_H_

#include <map>
#include <string_view>
#include <vector>

#include "admin/metrics.h"
#include "callbacks/callback_dispatcher.h"
#include "engine/engine.h"
#include "engine/journal.h"
#include "http/http_server.h"
#include "providers/common/provider_surface.h"

namespace imagine {

enum class LogFormat { kText, kJson };

struct ActivityOptions {
  LogFormat log_format = LogFormat::kText;
  std::map<Provider, RetryPolicy> callback_policies;  // callbacks.<provider>; absent = one attempt
};

class Activity final : public TaskObserver {
 public:
  // Every pointer must outlive the activity.
  // `providers` word the callbacks of their tasks.
  Activity(ActivityOptions options, Engine* engine, Journal* journal, Metrics* metrics,
           CallbackDispatcher* callbacks, const std::vector<const ProviderSurface*>& providers);

  void OnTaskFinished(const Task& task, int64_t at_ms) override;
  // `main_base`: for a request served on a provider's own port, the base its root paths have
  // on the main port ("/xai"); a path outside it is journaled with that base (in the request
  // entry's detail_json, {"base": "/xai"}), so the HAR export's URL reaches the same provider.
  void OnRequest(const RequestRecord& record, std::string_view main_base = {});
  void OnCallbackAttempt(const CallbackAttempt& attempt);

 private:
  void SubmitCallback(const Task& task);
  void LogRequest(const RequestRecord& record, std::string_view provider);

  const ActivityOptions options_;
  Engine* engine_;
  Journal* journal_;
  Metrics* metrics_;
  CallbackDispatcher* callbacks_;
  std::map<Provider, const ProviderSurface*> providers_;
};

}  // namespace imagine

#endif  // IMAGINE_APP_ACTIVITY_H_
