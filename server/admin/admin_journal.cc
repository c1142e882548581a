// The observing part of the control API: the journal (JSON, JSON lines, HAR 1.2), callback
// attempts, Prometheus metrics and the dashboard page.
#include <cstdio>
#include <ctime>

#include "admin/admin_api.h"
#include "callbacks/callback_attempt_json.h"
#include "common/resources.h"

namespace imagine {
namespace {

// The journal filters of GET /_emulator/journal* from their checked parameters; `limit`
// when the request gives none.
JournalFilter FilterFrom(const nlohmann::json& p, size_t limit) {
  JournalFilter f;
  if (p.contains("kind")) {
    const std::string kind = p["kind"].get<std::string>();
    f.kind = kind == "request" ? JournalEntry::Kind::kRequest
             : kind == "state" ? JournalEntry::Kind::kState
                               : JournalEntry::Kind::kCallback;
  }
  f.path = p.value("path", "");
  f.key = p.value("key", "");
  f.task_id = p.value("task_id", "");
  if (p.contains("status")) f.status = p["status"].get<int>();
  f.since = p.value("since", uint64_t{0});
  f.limit = p.contains("limit") ? p["limit"].get<size_t>() : limit;
  return f;
}

std::string IsoTime(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // room for any int in each field, so gcc's -Wformat-truncation has nothing to say
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

nlohmann::ordered_json HarHeaders(const std::vector<std::pair<std::string, std::string>>& headers) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& [k, v] : headers) out.push_back({{"name", k}, {"value", v}});
  return out;
}

// One journal request entry as a HAR 1.2 entry.
nlohmann::ordered_json HarEntry(const JournalEntry& e, const std::string& base_url) {
  nlohmann::ordered_json query = nlohmann::ordered_json::array();
  std::string_view q = e.query;
  while (!q.empty()) {
    std::string_view pair = q.substr(0, q.find('&'));
    q.remove_prefix(std::min(q.size(), pair.size() + 1));
    size_t eq = pair.find('=');
    query.push_back({{"name", std::string(pair.substr(0, eq))},
                     {"value", eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1))}});
  }
  std::string content_type = "application/json";
  for (const auto& [k, v] : e.request_headers) {
    if (k.size() == 12 && (k[0] == 'C' || k[0] == 'c') && (k[8] == 'T' || k[8] == 't')) content_type = v;
  }
  nlohmann::ordered_json request;
  request["method"] = e.method;
  // A request served on a provider's own port at its root carries the base the same path has
  // on the main port (Activity::OnRequest), so the URL reaches the same provider.
  std::string base;
  if (!e.detail_json.empty()) {
    const nlohmann::json detail = nlohmann::json::parse(e.detail_json, nullptr, false);
    if (detail.is_object() && detail.contains("base") && detail["base"].is_string()) base = detail["base"];
  }
  request["url"] = base_url + base + e.path + (e.query.empty() ? "" : "?" + e.query);
  request["httpVersion"] = "HTTP/1.1";
  request["cookies"] = nlohmann::ordered_json::array();
  request["headers"] = HarHeaders(e.request_headers);
  request["queryString"] = std::move(query);
  if (!e.request_body.empty()) request["postData"] = {{"mimeType", content_type}, {"text", e.request_body}};
  request["headersSize"] = -1;
  request["bodySize"] = static_cast<int64_t>(e.request_body.size());
  nlohmann::ordered_json response;
  response["status"] = e.status;
  response["statusText"] = "";
  response["httpVersion"] = "HTTP/1.1";
  response["cookies"] = nlohmann::ordered_json::array();
  response["headers"] = HarHeaders({{"Content-Type", e.content_type}, {"X-Request-Id", e.request_id}});
  response["content"] = {{"size", static_cast<int64_t>(e.response_body.size())},
                         {"mimeType", e.content_type},
                         {"text", e.response_body}};
  response["redirectURL"] = "";
  response["headersSize"] = -1;
  response["bodySize"] = static_cast<int64_t>(e.response_body.size());
  const double ms = static_cast<double>(e.latency_us) / 1000.0;
  nlohmann::ordered_json entry;
  entry["startedDateTime"] = IsoTime(e.wall_ms);
  entry["time"] = ms;
  entry["request"] = std::move(request);
  entry["response"] = std::move(response);
  entry["cache"] = nlohmann::ordered_json::object();
  entry["timings"] = {{"send", 0}, {"wait", ms}, {"receive", 0}};
  entry["comment"] = "emulated time " + IsoTime(e.at_ms) + (e.task_id.empty() ? "" : ", task " + e.task_id);
  return entry;
}

}  // namespace

void AdminApi::AddJournalHandlers(std::map<std::string, Handler>* h) {
  (*h)["getJournal"] = [this](ApiRequest& req) {
    auto params = Params(req, "getJournal");
    if (!params.ok()) return RenderError(params.status());
    uint64_t cursor = 0;
    std::vector<JournalEntry> entries = ctx_.journal->Query(FilterFrom(*params, 100), &cursor);
    std::string body = "{\"entries\":[";
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) body += ',';
      body += Journal::ToJson(entries[i]);
    }
    body += "],\"next_cursor\":" + std::to_string(cursor) + ",\"dropped\":" + std::to_string(ctx_.journal->dropped()) +
            ",\"capacity\":" + std::to_string(std::max<size_t>(1, ctx_.journal->capacity())) + "}";
    ApiResponse r;
    r.body = std::move(body);
    return r;
  };
  (*h)["getJournalJsonl"] = [this](ApiRequest& req) {
    auto params = Params(req, "getJournalJsonl");
    if (!params.ok()) return RenderError(params.status());
    ApiResponse r;
    r.content_type = "application/x-ndjson";
    for (const JournalEntry& e : ctx_.journal->Query(FilterFrom(*params, SIZE_MAX), nullptr)) {
      r.body += Journal::ToJson(e) + "\n";
    }
    return r;
  };
  (*h)["getJournalHar"] = [this](ApiRequest& req) {
    auto params = Params(req, "getJournalHar");
    if (!params.ok()) return RenderError(params.status());
    JournalFilter filter = FilterFrom(*params, SIZE_MAX);
    filter.kind = JournalEntry::Kind::kRequest;
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    for (const JournalEntry& e : ctx_.journal->Query(filter, nullptr)) {
      entries.push_back(HarEntry(e, engine_->options().public_url));
    }
    nlohmann::ordered_json log;
    log["version"] = "1.2";
    log["creator"] = {{"name", "imagine-emu"}, {"version", IMAGINE_VERSION}};
    log["pages"] = nlohmann::ordered_json::array();
    log["entries"] = std::move(entries);
    return AdminJson(200, nlohmann::ordered_json{{"log", std::move(log)}});
  };
  (*h)["listCallbacks"] = [this](ApiRequest& req) {
    nlohmann::ordered_json attempts = nlohmann::ordered_json::array();
    auto params = Params(req, "listCallbacks");
    if (!params.ok()) return RenderError(params.status());
    for (const CallbackAttempt& a : ctx_.callbacks->Attempts(params->value("task_id", ""))) {
      attempts.push_back(CallbackAttemptToJson(a));
    }
    nlohmann::ordered_json in_flight = nlohmann::ordered_json::array();
    for (const InFlightAttempt& a : ctx_.callbacks->InFlight(params->value("task_id", ""))) {
      in_flight.push_back({{"task_id", a.task_id},
                           {"provider", a.provider},
                           {"url", a.url},
                           {"delivery", a.delivery},
                           {"attempt", a.attempt},
                           {"sent_at_ms", a.sent_at_ms},
                           {"elapsed_us", a.elapsed_us},
                           {"deadline_us", a.deadline_us}});
    }
    CallbackDispatcher::Stats s = ctx_.callbacks->stats();
    nlohmann::ordered_json stats = {{"submitted", s.submitted},
                                    {"delivered", s.delivered},
                                    {"failed_deliveries", s.failed_deliveries},
                                    {"attempts", s.attempts},
                                    {"rejected_queue_full", s.rejected_queue_full},
                                    {"dropped_by_fault", s.dropped_by_fault},
                                    {"queued", s.queued},
                                    {"in_flight", s.in_flight},
                                    {"waiting", s.waiting},
                                    {"pending", s.pending}};
    return AdminJson(200, nlohmann::ordered_json{
                              {"attempts", std::move(attempts)}, {"in_flight", std::move(in_flight)}, {"stats", std::move(stats)}});
  };
  (*h)["getMetrics"] = [this](ApiRequest&) {
    std::map<std::string, double> by_state;
    for (TaskState st : {TaskState::kWaiting, TaskState::kQueuing, TaskState::kGenerating, TaskState::kSucceeded,
                         TaskState::kFailed}) {
      by_state[TaskStateName(st)] = 0;
    }
    const int64_t now = engine_->NowMs();
    for (const auto& [state, n] : engine_->CountByState(now)) by_state[TaskStateName(state)] = static_cast<double>(n);
    Metrics::Family entered{"imagine_task_states_entered_total", "Task state transitions, by provider and new state.",
                            "counter", {}};
    for (Provider p : AllProviders()) {
      std::map<std::string, uint64_t> by_name;  // sorted by state name, as before
      const auto counts = engine_->StatesEntered(p);
      for (size_t st = 0; st < counts.size(); ++st) {
        if (counts[st] > 0) by_name[TaskStateName(static_cast<TaskState>(st))] = counts[st];
      }
      for (const auto& [state, n] : by_name) {
        entered.samples.emplace_back(std::string("provider=\"") + ProviderName(p) + "\",state=\"" + state + "\"",
                                     static_cast<double>(n));
      }
    }
    Metrics::Family tasks{"imagine_tasks", "Stored tasks by current state.", "gauge", {}};
    for (const auto& [state, n] : by_state) tasks.samples.emplace_back("state=\"" + state + "\"", n);
    CallbackDispatcher::Stats cb = ctx_.callbacks->stats();
    std::vector<Metrics::Family> families = {
        entered,
        tasks,
        {"imagine_tasks_evicted_total",
         "Finished tasks evicted to keep the store within tasks.max_stored (reason count) or tasks.max_stored_bytes (reason bytes).",
         "counter",
         {{"reason=\"count\"", double(engine_->tasks_evicted() - engine_->tasks_evicted_for_bytes())},
          {"reason=\"bytes\"", double(engine_->tasks_evicted_for_bytes())}}},
        {"imagine_tasks_max_stored", "tasks.max_stored: the most tasks the store keeps.", "gauge",
         {{"", double(engine_->options().max_stored_tasks)}}},
        {"imagine_tasks_stored_bytes", "Bytes the stored tasks hold in request bodies, ids, URLs and failure words.", "gauge",
         {{"", double(engine_->stored_task_bytes())}}},
        {"imagine_tasks_max_stored_bytes", "tasks.max_stored_bytes: the most of those bytes the store keeps.", "gauge",
         {{"", double(engine_->options().max_stored_bytes)}}},
        {"imagine_journal_entries", "Entries held by the journal ring buffer.", "gauge", {{"", double(ctx_.journal->size())}}},
        {"imagine_journal_bytes", "Bytes the journal's entries hold (journal.max_bytes bounds it).", "gauge",
         {{"", double(ctx_.journal->bytes())}}},
        {"imagine_journal_dropped", "Journal entries evicted from the ring buffer so far.", "gauge",
         {{"", double(ctx_.journal->dropped())}}},
        {"imagine_callback_queue", "Callback deliveries accepted and not yet finished.", "gauge", {{"", double(cb.queued)}}},
        {"imagine_callback_rejected", "Callback submissions refused because the queue was full.", "gauge",
         {{"", double(cb.rejected_queue_full)}}},
    };
    for (Metrics::Family& f : ProxyMetricFamilies(ctx_.proxy)) families.push_back(std::move(f));
    ApiResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = ctx_.metrics->Render(families);
    return r;
  };
  (*h)["getDashboard"] = [](ApiRequest&) {
    ApiResponse r;
    auto page = FindResource("server/admin/ui/index.html");
    if (!page) {
      r.status = 404;
      r.content_type = "text/plain";
      r.body = "the dashboard is not embedded in this build\n";
      return r;
    }
    r.content_type = "text/html; charset=utf-8";
    r.body.assign(page->data(), page->size());
    return r;
  };
}

}  // namespace imagine
