#include "app/activity.h"

#include <nlohmann/json.hpp>

#include "callbacks/callback_attempt_json.h"
#include "callbacks/webhook_faults.h"
#include "common/log.h"
#include "common/text.h"
#include "engine/clock.h"

namespace imagine {
namespace {

bool IsAdminPath(std::string_view path) { return path.substr(0, 11) == "/_emulator/"; }

}  // namespace

Activity::Activity(ActivityOptions options, Engine* engine, Journal* journal, Metrics* metrics,
                   CallbackDispatcher* callbacks, const std::vector<const ProviderSurface*>& providers)
    : options_(std::move(options)), engine_(engine), journal_(journal), metrics_(metrics), callbacks_(callbacks) {
  for (const ProviderSurface* p : providers) providers_[p->provider()] = p;
}

void Activity::OnTaskFinished(const Task& task, int64_t /*at_ms*/) {
  if (!task.callback_url.empty()) SubmitCallback(task);
}

void Activity::SubmitCallback(const Task& task) {
  auto provider = providers_.find(task.provider);
  if (provider == providers_.end()) return;
  const CallbackShape& shape = provider->second->callback_shape();
  if (shape.only_on_success && task.timeline.outcome != TaskState::kSucceeded) return;  // xAI uploads only a video
  std::shared_ptr<const KeyProfile> profile = engine_->accounts().ProfileFor(task.owner_key);
  CallbackRequest request;
  request.task_id = task.id;
  request.provider = ProviderName(task.provider);
  request.url = task.callback_url;
  request.body = provider->second->CallbackBody(task, engine_->NowMs());
  request.method = shape.method;
  request.content_type = shape.content_type;
  // The Kie signature (X-Webhook-Timestamp/-Signature) is for JSON callbacks; an upload PUT
  // (xAI's output.upload_url) goes to a signed URL and carries no signature headers.
  if (shape.method != "PUT") request.hmac_key = profile->webhook_hmac_key;
  request.key = task.owner_key;
  // Whether receivers on loopback/private hosts are allowed (checked again after resolving).
  request.allow_private_hosts = provider->second->allow_private_callbacks();
  auto policy = options_.callback_policies.find(task.provider);
  request.policy = policy != options_.callback_policies.end() ? policy->second : RetryPolicy{};
  const std::string& faults = !task.callback_faults.empty() ? task.callback_faults : profile->callback_faults;
  if (!faults.empty()) {
    auto parsed = ParseWebhookFaults(faults);
    if (parsed.ok()) {
      request.faults = *parsed;
    } else {
      Log(LogLevel::kWarn, "callbacks: ignoring faults \"" + faults + "\" of task " + task.id + ": " +
                               parsed.status().message());
    }
  }
  callbacks_->Submit(std::move(request));  // refusals are counted and logged by the dispatcher
}

void Activity::OnCallbackAttempt(const CallbackAttempt& attempt) {
  metrics_->ObserveCallback(attempt.provider, attempt.outcome);
  JournalEntry e;
  e.kind = JournalEntry::Kind::kCallback;
  e.at_ms = attempt.sent_at_ms;
  e.wall_ms = WallNowMs();
  e.task_id = attempt.task_id;
  e.provider = attempt.provider;
  e.method = attempt.method;
  e.path = attempt.url;
  e.status = attempt.status;
  e.latency_us = attempt.latency_us;
  if (auto task = engine_->GetTask(attempt.task_id)) e.key = task->owner_key;
  e.detail_json = CallbackAttemptToJson(attempt).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  journal_->Append(std::move(e));
}

void Activity::OnRequest(const RequestRecord& r, std::string_view main_base) {
  std::string_view provider = "none";
  if (IsAdminPath(r.path)) {
    provider = "admin";
  } else if (r.path.substr(0, 7) == "/media/") {
    provider = "media";
  } else if (r.surface != nullptr) {
    provider = r.surface->name();
  }
  metrics_->ObserveRequest(provider, r.operation.empty() ? "unmatched" : r.operation, r.response->status, r.latency_us);
  LogRequest(r, provider);
  if (provider == "admin") return;  // the journal records what clients did, not the dashboard's polling
  JournalEntryView e;  // views of the request's own strings: packed once, not copied first
  e.kind = JournalEntry::Kind::kRequest;
  e.at_ms = engine_->NowMs();
  e.wall_ms = WallNowMs();
  e.request_id = r.request_id;
  e.task_id = r.response->task_id;
  if (e.task_id.empty() && provider == "media") {
    std::string_view rest = r.path.substr(7);
    e.task_id = rest.substr(0, rest.find('/'));
  }
  e.key = r.api_key;
  e.provider = provider == "none" ? std::string_view() : provider;
  e.operation = r.operation;
  e.method = r.method;
  e.path = r.path;
  e.query = r.query;
  e.request_headers = &r.headers;
  e.request_body = r.body;
  e.status = r.response->status;
  e.content_type = r.response->content_type;
  const bool text = r.response->content_type.find("json") != std::string::npos ||
                    r.response->content_type.rfind("text/", 0) == 0;
  std::string binary_note;  // what a binary answer is journaled as
  if (!text) binary_note = "<" + std::to_string(r.response->body.size()) + " bytes of " + r.response->content_type + ">";
  e.response_body = text ? std::string_view(r.response->body) : std::string_view(binary_note);
  e.latency_us = r.latency_us;
  e.scenario = r.response->scenario;
  const bool under_base = r.path.size() > main_base.size() && r.path.compare(0, main_base.size(), main_base) == 0 &&
                          r.path[main_base.size()] == '/';
  std::string detail;
  if (!main_base.empty() && !under_base) detail = nlohmann::json{{"base", main_base}}.dump();
  e.detail_json = detail;
  journal_->Append(e);
}

void Activity::LogRequest(const RequestRecord& r, std::string_view provider) {
  const LogLevel level = provider == "admin" ? LogLevel::kDebug : LogLevel::kInfo;
  if (!LogEnabled(level)) return;
  const std::string key = r.api_key.empty() ? "-" : MaskSecret(r.api_key);
  if (options_.log_format == LogFormat::kJson) {
    nlohmann::ordered_json j;
    j["ts"] = WallNowMs();
    j["level"] = level == LogLevel::kDebug ? "debug" : "info";
    j["request_id"] = r.request_id;
    j["key"] = key;
    j["provider"] = provider;
    j["route"] = r.operation;
    j["method"] = r.method;
    j["path"] = r.path;
    j["status"] = r.response->status;
    j["latency_us"] = r.latency_us;
    if (!r.response->task_id.empty()) j["task_id"] = r.response->task_id;
    WriteLogLine(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return;
  }
  Log(level, std::string(r.request_id) + " " + std::string(r.method) + " " + std::string(r.path) + " " +
                 std::to_string(r.response->status) + " " + std::to_string(r.latency_us) + "us key=" + key +
                 " route=" + std::string(r.operation.empty() ? "-" : r.operation));
}

}  // namespace imagine
