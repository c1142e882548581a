// reference_cpp: the conformance suite's reference client (see client-tests/README.md), built
// with cpp-httplib and nlohmann/json. It creates one Grok Imagine image-to-video task on Apikley,
// Evolink or xAI, waits for it by polling or, when IMAGINE_CALLBACK_URL is set, by callback (with a
// slow fallback poll), downloads the result, prints its URL and exits 0; any failure prints the
// provider's message on stderr and exits 1. The main thread does all the work; only the callback
// receiver runs on its own threads, and the state it shares is guarded by a mutex.
//
// Faults: the suite's broken clients are this file built as broken_cpp (IMAGINE_CLIENT_FAULTS
// defined), run with IMAGINE_CLIENT_FAULT=<fault> (clients.yaml; never set by the runner). Each
// FAULT branch below names its fault and is the only deviation from the reference behaviour;
// in reference_cpp every branch compiles away.

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace {

#ifdef IMAGINE_CLIENT_FAULTS
// broken_cpp: the fault IMAGINE_CLIENT_FAULT names, read once.
std::string_view Fault() {
  static const std::string fault = std::getenv("IMAGINE_CLIENT_FAULT") ? std::getenv("IMAGINE_CLIENT_FAULT") : "";
  return fault;
}
#else
constexpr std::string_view Fault() { return ""; }  // reference_cpp: no fault
#endif
bool FaultIs(std::string_view name) { return Fault() == name; }
constexpr std::string_view kFaults[] = {
    "callback_500",     "exits_at_once",          "gives_up_on_not_ready", "hammers_polling",
    "ignores_fail",     "ignores_failed_download", "never_gives_up",        "no_backoff",
    "own_failure_message", "polls_after_success", "prints_duplicate",      "query_error_is_final",
    "reads_resultjson_object", "retries_402",     "sends_invalid_image_urls", "skips_download",
    "trusts_http_200"};

using json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

constexpr int kDefaultPollIntervalMs = 2000;
constexpr int kDefaultRetryBaseMs = 1000;
constexpr int kDefaultMaxWaitS = 600;
// Retryable answers (429/455/500, Evolink 5xx) are retried at most this many times per request,
// waiting IMAGINE_RETRY_BASE_MS, then twice as long, and so on.
const int kMaxRetries = FaultIs("no_backoff") ? 8 : 4;  // FAULT no_backoff: also too many
// In callback mode the fallback poll runs this many times less often than a plain poll.
constexpr int kFallbackPollFactor = 4;
// After the outcome is known in callback mode, keep answering deliveries for three poll intervals
// (at most 2 s), or until a second delivery for the task has been acknowledged, so that a
// duplicate is answered 2xx.
constexpr int kCallbackLingerPolls = 3;
constexpr Millis kMaxCallbackLinger{2000};

enum class Provider { kApikley, kEvolink, kXai };

// Everything the runner passes in the environment (client-tests/README.md, "The contract").
struct Options {
  Provider provider = Provider::kApikley;
  std::string base_url;  // no trailing slash
  std::string base_path;  // the base URL's path ("/xai" for an emulator's xAI), put before every path
  std::string api_key;
  std::string model;
  std::string prompt;
  std::string image_url;
  std::string callback_url;  // "" = polling mode
  int poll_interval_ms = kDefaultPollIntervalMs;
  int retry_base_ms = kDefaultRetryBaseMs;
  int max_wait_s = kDefaultMaxWaitS;
};

// A URL split for cpp-httplib: "http://127.0.0.1:8080/media/x/0.mp4" →
// origin "http://127.0.0.1:8080", host "127.0.0.1", port 8080, path "/media/x/0.mp4".
struct UrlParts {
  std::string origin;
  std::string host;
  int port = 80;
  std::string path = "/";
};

std::optional<UrlParts> SplitUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  const size_t authority_begin = scheme_end + 3;
  const size_t path_begin = url.find('/', authority_begin);
  UrlParts parts;
  const std::string authority = url.substr(authority_begin, path_begin - authority_begin);
  if (path_begin != std::string::npos) parts.path = url.substr(path_begin);
  parts.origin = scheme + "://" + authority;
  parts.port = scheme == "https" ? 443 : 80;
  const size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    parts.host = authority.substr(0, colon);
    const std::string port = authority.substr(colon + 1);
    char* end = nullptr;
    const long value = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || value <= 0 || value > 65535) return std::nullopt;
    parts.port = static_cast<int>(value);
  } else {
    parts.host = authority;
  }
  if (parts.host.size() > 1 && parts.host.front() == '[' && parts.host.back() == ']') {
    parts.host = parts.host.substr(1, parts.host.size() - 2);
  }
  if (parts.host.empty()) return std::nullopt;
  return parts;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// Reads a positive integer variable; an unset or empty variable keeps `*out`.
bool ReadPositiveInt(const char* name, int* out, std::string* error) {
  const std::string text = Env(name);
  if (text.empty()) return true;
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (*end != '\0' || value <= 0 || value > 100000000) {
    *error = std::string(name) + " must be a positive integer (got \"" + text + "\")";
    return false;
  }
  *out = static_cast<int>(value);
  return true;
}

bool ReadOptions(Options* options, std::string* error) {
  const std::string provider = Env("IMAGINE_PROVIDER");
  if (provider == "apikley") {
    options->provider = Provider::kApikley;
  } else if (provider == "evolink") {
    options->provider = Provider::kEvolink;
  } else if (provider == "xai") {
    options->provider = Provider::kXai;
  } else {
    *error = "IMAGINE_PROVIDER must be apikley, evolink or xai (got \"" + provider + "\")";
    return false;
  }
  options->base_url = Env("IMAGINE_BASE_URL");
  while (!options->base_url.empty() && options->base_url.back() == '/') options->base_url.pop_back();
  // cpp-httplib's client takes scheme, host and port; a path in the base URL goes before each request's.
  if (const size_t scheme = options->base_url.find("://"); scheme != std::string::npos) {
    if (const size_t path = options->base_url.find('/', scheme + 3); path != std::string::npos) {
      options->base_path = options->base_url.substr(path);
    }
  }
  options->api_key = Env("IMAGINE_API_KEY");
  options->model = Env("IMAGINE_MODEL");
  options->prompt = Env("IMAGINE_PROMPT");
  options->image_url = Env("IMAGINE_IMAGE_URL");
  options->callback_url = Env("IMAGINE_CALLBACK_URL");
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"IMAGINE_BASE_URL", &options->base_url},
        {"IMAGINE_API_KEY", &options->api_key},
        {"IMAGINE_MODEL", &options->model}}) {
    if (value->empty()) {
      *error = std::string(name) + " is not set";
      return false;
    }
  }
  return ReadPositiveInt("IMAGINE_POLL_INTERVAL_MS", &options->poll_interval_ms, error) &&
         ReadPositiveInt("IMAGINE_RETRY_BASE_MS", &options->retry_base_ms, error) &&
         ReadPositiveInt("IMAGINE_MAX_WAIT_S", &options->max_wait_s, error);
}

// What one answer of the provider means to the client.
enum class Verdict {
  kOk,         // the request did what was asked
  kRetryable,  // 429, 500, 455 (Apikley), 5xx (Evolink), or no answer at all: retry with backoff
  kNotReady,   // a status query for a task the provider does not know yet: keep polling
  kFatal,      // anything else (400/401/402/403/422/...): never retried
};

struct Answer {
  Verdict verdict = Verdict::kFatal;
  int code = 0;         // the outcome code: Apikley's body code, else the HTTP status
  json body;            // the parsed body; null when it was not JSON
  std::string message;  // the provider's message when verdict != kOk
};

// The state of a task as read from a status answer or a callback body.
struct TaskView {
  bool terminal = false;
  bool success = false;
  std::string state;    // the provider's word: generating, success, processing, failed, ...
  std::string url;      // success: the first result URL
  std::string message;  // failure: the provider's message
};

// object[key], or null when `object` is not an object or has no such member. Never throws.
json Member(const json& object, const char* key) {
  if (!object.is_object()) return json();
  const auto it = object.find(key);
  return it != object.end() ? *it : json();
}

std::string StringField(const json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// Apikley: `data` of a recordInfo answer or of a callback. resultJson is a JSON *string*
// (api-reference.md §1.5), so it is parsed before resultUrls is read.
TaskView ViewApikleyTask(const json& data) {
  TaskView view;
  view.state = StringField(data, "state");
  if (view.state == "success" && FaultIs("reads_resultjson_object")) {
    // FAULT reads_resultjson_object: resultJson read as an object; from the string that yields
    // no URL, and the empty URL goes unnoticed.
    view.terminal = view.success = true;
    const json result = Member(data, "resultJson");
    const json urls = Member(result, "resultUrls");
    if (urls.is_array() && !urls.empty() && urls[0].is_string()) view.url = urls[0].get<std::string>();
  } else if (view.state == "success") {
    view.terminal = true;
    const json result = json::parse(StringField(data, "resultJson"), nullptr, false);
    if (result.is_object() && result.contains("resultUrls") && result["resultUrls"].is_array() &&
        !result["resultUrls"].empty() && result["resultUrls"][0].is_string()) {
      view.success = true;
      view.url = result["resultUrls"][0].get<std::string>();
    } else {
      view.message = "task succeeded but its resultJson holds no result URL";
    }
  } else if (view.state == "fail") {
    view.terminal = true;
    view.message = StringField(data, "failMsg");
    if (view.message.empty()) view.message = "task failed (failCode " + StringField(data, "failCode") + ")";
  }
  return view;
}

// Evolink: a task object, from GET /v1/tasks/{id} or a callback (the same shape, §2.4–2.5).
TaskView ViewEvolinkTask(const json& task) {
  TaskView view;
  view.state = StringField(task, "status");
  if (view.state == "completed") {
    view.terminal = true;
    const auto it = task.find("results");
    if (it != task.end() && it->is_array() && !it->empty() && (*it)[0].is_string()) {
      view.success = true;
      view.url = (*it)[0].get<std::string>();
    } else {
      view.message = "task completed without results";
    }
  } else if (view.state == "failed") {
    view.terminal = true;
    view.message = StringField(Member(task, "error"), "message");
    if (view.message.empty()) view.message = "task failed";
  }
  return view;
}

// xAI (docs.x.ai, GET /v1/videos/{request_id}): status pending|processing|done|failed|expired;
// when done, video.url; when failed, error.code and error.message.
TaskView ViewXaiRequest(const json& request) {
  TaskView view;
  view.state = StringField(request, "status");
  if (view.state == "done") {
    view.terminal = true;
    view.url = StringField(Member(request, "video"), "url");
    view.success = !view.url.empty();
    if (!view.success) view.message = "request done without video.url";
  } else if (view.state == "failed") {
    view.terminal = true;
    view.message = StringField(Member(request, "error"), "message");
    if (view.message.empty()) view.message = "request failed (" + StringField(Member(request, "error"), "code") + ")";
  } else if (view.state == "expired") {
    view.terminal = true;
    view.message = "the request expired before it was fetched";
  }
  return view;
}

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string EncodePathSegment(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The id of the task a callback body is about, on either provider.
std::string CallbackTaskId(const json& body) {
  if (body.is_object() && body.contains("data")) return StringField(Member(body, "data"), "taskId");
  return StringField(body, "id");
}

// Receives callbacks on the host, port and path of IMAGINE_CALLBACK_URL. Every POST on the
// path is answered HTTP 200 {"code":200,"msg":"success"}. Thread-safe.
class CallbackReceiver {
 public:
  explicit CallbackReceiver(Provider provider) : provider_(provider) {}
  ~CallbackReceiver() { Stop(); }

  // Binds and starts serving. Returns false with `*error` set when the address is unusable.
  bool Start(const std::string& url, std::string* error) {
    const std::optional<UrlParts> parts = SplitUrl(url);
    if (!parts) {
      *error = "IMAGINE_CALLBACK_URL is not an http URL (got \"" + url + "\")";
      return false;
    }
    server_.Post(parts->path, [this](const httplib::Request& request, httplib::Response& response) {
      Record(request.body);
      // FAULT callback_500: the delivery is used but never acknowledged.
      response.status = FaultIs("callback_500") ? 500 : 200;
      response.set_content(R"({"code":200,"msg":"success"})", "application/json");
    });
    if (!server_.bind_to_port(parts->host, parts->port)) {
      *error = "cannot listen on " + parts->host + ":" + std::to_string(parts->port);
      return false;
    }
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    return true;
  }

  void Stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

  // Waits until a terminal delivery for `task_id` has arrived or `until` passes; returns the
  // task as the first such delivery showed it.
  std::optional<TaskView> WaitForTerminal(const std::string& task_id, SteadyClock::time_point until) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, until, [&] { return terminal_.count(task_id) > 0; });
    const auto it = terminal_.find(task_id);
    if (it == terminal_.end()) return std::nullopt;
    return it->second;
  }

  // How many deliveries for `task_id` have been answered so far.
  int Deliveries(const std::string& task_id) {
    std::lock_guard<std::mutex> lock(mu_);
    return deliveries_[task_id];
  }

  // Waits until `count` deliveries for `task_id` have been answered or `until` passes.
  void WaitForDeliveries(const std::string& task_id, int count, SteadyClock::time_point until) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, until, [&] { return deliveries_[task_id] >= count; });
  }

 private:
  void Record(const std::string& text) {
    const json body = json::parse(text, nullptr, false);
    const std::string task_id = CallbackTaskId(body);
    if (task_id.empty()) return;
    const TaskView view =
        provider_ == Provider::kApikley ? ViewApikleyTask(Member(body, "data")) : ViewEvolinkTask(body);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++deliveries_[task_id];
      // The first terminal delivery wins; duplicates only bump the count.
      if (view.terminal) terminal_.emplace(task_id, view);
    }
    cv_.notify_all();
  }

  const Provider provider_;
  httplib::Server server_;
  std::thread thread_;
  std::mutex mu_;  // guards deliveries_ and terminal_
  std::condition_variable cv_;
  std::map<std::string, int> deliveries_;     // task id → deliveries answered
  std::map<std::string, TaskView> terminal_;  // task id → the first terminal delivery
};

class ReferenceClient {
 public:
  explicit ReferenceClient(Options options)
      : options_(std::move(options)),
        api_(options_.base_url.substr(0, options_.base_url.size() - options_.base_path.size())),
        receiver_(options_.provider),
        // FAULT never_gives_up: IMAGINE_MAX_WAIT_S is ignored.
        deadline_(SteadyClock::now() + std::chrono::seconds(FaultIs("never_gives_up") ? 86400 * 365 : options_.max_wait_s)) {
    api_.set_connection_timeout(5);
    api_.set_read_timeout(30);
  }

  // Runs the whole contract; returns the process exit status.
  int Run() {
    if (FaultIs("exits_at_once")) return 0;  // FAULT exits_at_once: does nothing at all
    const bool callback_mode = !options_.callback_url.empty();
    std::string error;
    if (callback_mode && !receiver_.Start(options_.callback_url, &error)) return Fail(error);

    Answer created = SendWithRetry(/*create=*/true, "");
    // FAULT retries_402: "insufficient credits" retried as if transient, up to 5 more times.
    // (xAI says "no credits left" with 403.)
    const int no_credits = options_.provider == Provider::kXai ? 403 : 402;
    for (int again = 0; FaultIs("retries_402") && again < 5 && created.verdict == Verdict::kFatal && created.code == no_credits; ++again) {
      std::this_thread::sleep_until(last_answer_ + Millis(options_.poll_interval_ms));
      created = SendWithRetry(/*create=*/true, "");
    }
    if (created.verdict != Verdict::kOk) return Fail(created.message);
    std::string task_id = options_.provider == Provider::kApikley ? StringField(Member(created.body, "data"), "taskId")
                          : options_.provider == Provider::kXai   ? StringField(created.body, "request_id")
                                                                  : StringField(created.body, "id");
    if (FaultIs("trusts_http_200") && task_id.empty()) {  // FAULT trusts_http_200: polls taskId=null
      task_id = "null";
      create_message_ = created.message;
    }
    if (task_id.empty()) return Fail("the create answer carries no task id");
    task_id_ = task_id;

    // FAULT hammers_polling: no poll interval (5 ms rather than 0 keeps the journal from
    // overflowing in a long run; at any time scale under 200 that is still < 1 s emulated).
    const Millis interval(FaultIs("hammers_polling") ? 5
                                                     : options_.poll_interval_ms * (callback_mode ? kFallbackPollFactor : 1));
    std::string last_state = "created";
    std::string last_message;
    int not_ready_polls = 0;
    while (true) {
      const SteadyClock::time_point next_query = std::min(last_answer_ + interval, deadline_);
      if (callback_mode) {
        if (std::optional<TaskView> view = receiver_.WaitForTerminal(task_id, next_query)) {
          return Finish(task_id, *view);
        }
      } else {
        std::this_thread::sleep_until(next_query);
      }
      if (SteadyClock::now() >= deadline_) {
        std::string text = "gave up after " + std::to_string(options_.max_wait_s) + " s waiting for task " +
                           task_id + " (last state: " + last_state + ")";
        if (!last_message.empty()) text += ": " + last_message;
        return Fail(text);
      }
      const Answer answer = SendWithRetry(/*create=*/false, task_id);
      if (answer.verdict == Verdict::kFatal) return Fail(answer.message);
      if (answer.verdict == Verdict::kNotReady) {
        last_message = answer.message;
        // FAULT trusts_http_200: it does see that taskId=null never shows up, after three polls.
        if (!create_message_.empty() && ++not_ready_polls == 3) {
          return Fail(answer.message + " (the create answered: " + create_message_ + ")");
        }
        continue;
      }
      const TaskView view = options_.provider == Provider::kApikley ? ViewApikleyTask(Member(answer.body, "data"))
                            : options_.provider == Provider::kXai   ? ViewXaiRequest(answer.body)
                                                                    : ViewEvolinkTask(answer.body);
      last_message.clear();
      if (view.terminal && view.success && FaultIs("polls_after_success")) {
        for (int i = 0; i < 2; ++i) {  // FAULT polls_after_success: "just to be sure", two more queries
          std::this_thread::sleep_until(last_answer_ + Millis(options_.poll_interval_ms));
          SendWithRetry(/*create=*/false, task_id);
        }
      }
      if (view.terminal) return Finish(task_id, view);
      if (!view.state.empty()) last_state = view.state;
    }
  }

 private:
  // Sends the create (or one status query for `task_id`) and classifies the answer.
  Answer SendOnceRaw(bool create, const std::string& task_id) {
    const httplib::Headers headers = {{"Authorization", "Bearer " + options_.api_key}};
    if (create) {
      json body;
      // FAULT sends_invalid_image_urls: the image URL as a string, not a list of one.
      const json images = FaultIs("sends_invalid_image_urls") ? json(options_.image_url) : json::array({options_.image_url});
      const std::string& base = options_.base_path;
      if (options_.provider == Provider::kApikley) {
        body = {{"model", options_.model}, {"input", {{"prompt", options_.prompt}, {"image_urls", images}}}};
        if (!options_.callback_url.empty()) body["callBackUrl"] = options_.callback_url;
        return Classify(api_.Post(base + "/api/v1/jobs/createTask", headers, body.dump(), "application/json"),
                        create);
      }
      if (options_.provider == Provider::kXai) {  // docs.x.ai: image-to-video is image: {url}; no callbacks
        // FAULT sends_invalid_image_urls: on xAI, the image URL as a string, not {url}.
        const json image = FaultIs("sends_invalid_image_urls") ? json(options_.image_url)
                                                                : json{{"url", options_.image_url}};
        body = {{"model", options_.model}, {"prompt", options_.prompt}, {"image", image}};
        return Classify(api_.Post(base + "/v1/videos/generations", headers, body.dump(), "application/json"), create);
      }
      body = {{"model", options_.model}, {"prompt", options_.prompt}, {"image_urls", images}};
      if (!options_.callback_url.empty()) body["callback_url"] = options_.callback_url;
      return Classify(api_.Post(base + "/v1/videos/generations", headers, body.dump(), "application/json"), create);
    }
    if (options_.provider == Provider::kApikley) {
      return Classify(api_.Get(options_.base_path + "/api/v1/jobs/recordInfo", httplib::Params{{"taskId", task_id}}, headers),
                      create);
    }
    if (options_.provider == Provider::kXai) {
      return Classify(api_.Get(options_.base_path + "/v1/videos/" + EncodePathSegment(task_id), headers), create);
    }
    return Classify(api_.Get(options_.base_path + "/v1/tasks/" + EncodePathSegment(task_id), headers), create);
  }

  // SendOnceRaw, noting when it was sent and when the answer arrived: waits are measured from the
  // answer, so the gaps between two requests as the server sees them are never shorter.
  Answer Send(bool create, const std::string& task_id) {
    last_sent_ = SteadyClock::now();
    Answer answer = SendOnceRaw(create, task_id);
    last_answer_ = SteadyClock::now();
    return answer;
  }

  Answer Classify(const httplib::Result& result, bool create) const {
    Answer answer;
    if (!result) {
      answer.verdict = Verdict::kRetryable;
      answer.message = "no answer from " + options_.base_url + ": " + httplib::to_string(result.error());
      return answer;
    }
    const int status = result->status;
    answer.body = json::parse(result->body, nullptr, false);
    if (answer.body.is_discarded()) answer.body = json();
    if (options_.provider == Provider::kApikley) {
      // Apikley answers HTTP 200 even for errors: the body's code is the outcome (§1.7).
      const bool has_code =
          answer.body.is_object() && answer.body.contains("code") && answer.body["code"].is_number_integer();
      const int code = has_code ? answer.body["code"].get<int>() : status;
      answer.code = code;
      answer.message = StringField(answer.body, "msg");
      if (answer.message.empty())
        answer.message = "HTTP " + std::to_string(status) + ", code " + std::to_string(code);
      if (code == 200 && status == 200) {
        answer.verdict = Verdict::kOk;
      } else if (FaultIs("trusts_http_200") && create && status == 200 && code != 429 && code != 455 && code != 500) {
        answer.verdict = Verdict::kOk;  // FAULT trusts_http_200: HTTP 200 trusted, whatever the body code says
      } else if (!create && code == 422 && StringField(answer.body, "msg") == "recordInfo is null" &&
                 !FaultIs("gives_up_on_not_ready")) {  // FAULT gives_up_on_not_ready: taken as a failure
        answer.verdict = Verdict::kNotReady;  // a live quirk right after creation (§1.5)
      } else if (code == 429 || code == 455 || code == 500 || (!has_code && status >= 500)) {
        answer.verdict = Verdict::kRetryable;
      } else {
        answer.verdict = Verdict::kFatal;
      }
      return answer;
    }
    const json error = Member(answer.body, "error");
    answer.code = status;
    // Evolink: {"error": {"message": ...}}; xAI: {"code": ..., "error": "<message>"}.
    answer.message = error.is_string() ? error.get<std::string>() : StringField(error, "message");
    if (answer.message.empty()) answer.message = "HTTP " + std::to_string(status);
    if (status == 200) {
      answer.verdict = Verdict::kOk;
    } else if (!create && status == 404) {
      answer.verdict = Verdict::kNotReady;  // the task may not be visible yet right after creation
    } else if (status == 429 || status >= 500) {
      answer.verdict = Verdict::kRetryable;
    } else {
      answer.verdict = Verdict::kFatal;
    }
    return answer;
  }

  // Send, retrying a retryable answer at most kMaxRetries times: the first retry waits
  // IMAGINE_RETRY_BASE_MS after the answer, each later one twice as long, and each gap between two
  // sends is also at least 1.5 times the one before, so the backoff still grows when the machine
  // is slow. Never waits past the deadline; a retryable answer that is not retried ends as kFatal.
  Answer SendWithRetry(bool create, const std::string& task_id) {
    Millis delay(options_.retry_base_ms);
    Millis gap(0);
    SteadyClock::time_point previous_sent;
    for (int retry = 0;; ++retry) {
      Answer answer = Send(create, task_id);
      if (answer.verdict != Verdict::kRetryable) return answer;
      answer.verdict = Verdict::kFatal;
      if (!create && FaultIs("query_error_is_final")) return answer;  // FAULT: a transient error is final
      if (retry == kMaxRetries) {
        answer.message += " (still failing after " + std::to_string(kMaxRetries) + " retries)";
        return answer;
      }
      if (retry > 0) gap = std::chrono::duration_cast<Millis>(last_sent_ - previous_sent);
      SteadyClock::time_point next = std::max(last_answer_ + delay, last_sent_ + gap * 3 / 2);
      if (FaultIs("no_backoff")) next = last_answer_;  // FAULT no_backoff: retried at once
      if (next > deadline_) {
        answer.message += " (no time left to retry within IMAGINE_MAX_WAIT_S)";
        return answer;
      }
      std::this_thread::sleep_until(next);
      previous_sent = last_sent_;
      delay *= 2;
    }
  }

  // Downloads the result of a successful task (or reports the failure) and returns the exit status.
  int Finish(const std::string& task_id, const TaskView& view) {
    int status = 0;
    std::string error;
    if (!view.success && FaultIs("ignores_fail")) {
      status = 0;  // FAULT ignores_fail: a failed task ends silently with exit 0
    } else if (!view.success && FaultIs("own_failure_message")) {
      status = Fail("the task failed");  // FAULT own_failure_message: the provider's message is lost
    } else if (!view.success) {
      status = Fail(view.message);
    } else if (view.url.empty() && FaultIs("reads_resultjson_object")) {
      std::cout << '\n' << std::flush;  // FAULT reads_resultjson_object: nothing to download, an empty line
    } else if (FaultIs("skips_download")) {
      std::cout << view.url << '\n' << std::flush;  // FAULT skips_download: printed, never fetched
    } else if (!Download(view.url, &error) && !FaultIs("ignores_failed_download")) {
      status = Fail("task " + task_id + " succeeded but " + error);
    } else {
      std::cout << view.url << '\n' << std::flush;  // FAULT ignores_failed_download: even when the download failed
    }
    Linger();
    if (FaultIs("prints_duplicate")) {  // FAULT: each further delivery is taken as a new result and printed again
      for (int i = 1; status == 0 && i < receiver_.Deliveries(task_id); ++i) std::cout << view.url << '\n' << std::flush;
    }
    return status;
  }

  // GETs the result URL; the file must answer 200 with a non-empty body.
  bool Download(const std::string& url, std::string* error) {
    const std::optional<UrlParts> parts = SplitUrl(url);
    if (!parts) {
      *error = "its result URL is not an http URL: " + url;
      return false;
    }
    httplib::Client client(parts->origin);
    client.set_connection_timeout(5);
    client.set_read_timeout(60);
    const httplib::Result result = client.Get(parts->path);
    if (!result) {
      *error = "downloading " + url + " failed: " + httplib::to_string(result.error());
      return false;
    }
    if (result->status != 200 || result->body.empty()) {
      *error = "downloading " + url + " answered HTTP " + std::to_string(result->status) + " with " +
               std::to_string(result->body.size()) + " bytes";
      return false;
    }
    return true;
  }

  int Fail(const std::string& message) {
    std::cerr << "error: " << message << '\n' << std::flush;
    return 1;
  }

  // Callback mode, once the task is terminal: keeps the receiver up a little longer so that the
  // callback (if the outcome came from a poll) and a duplicate delivery are answered too. Not
  // called when the client gives up or the create fails: no callback is due then.
  void Linger() {
    if (options_.callback_url.empty()) return;
    const Millis linger = std::min(kMaxCallbackLinger, Millis(options_.poll_interval_ms * kCallbackLingerPolls));
    receiver_.WaitForDeliveries(task_id_, 2, SteadyClock::now() + linger);
    receiver_.Stop();
  }

  const Options options_;
  httplib::Client api_;
  CallbackReceiver receiver_;
  const SteadyClock::time_point deadline_;
  SteadyClock::time_point last_sent_ = SteadyClock::now();    // when the last request was sent
  SteadyClock::time_point last_answer_ = SteadyClock::now();  // when the last answer arrived
  std::string task_id_;                                       // the created task, once known
  std::string create_message_;  // FAULT trusts_http_200: what the refused create said
};

}  // namespace

int main() {
  if (!Fault().empty() && std::find(std::begin(kFaults), std::end(kFaults), Fault()) == std::end(kFaults)) {
    std::cerr << "error: unknown IMAGINE_CLIENT_FAULT " << Fault() << '\n';
    return 2;
  }
  Options options;
  std::string error;
  if (!ReadOptions(&options, &error)) {
    std::cerr << "error: " << error << '\n';
    return 1;
  }
  try {
    return ReferenceClient(std::move(options)).Run();
  } catch (const std::exception& e) {  // last resort: nothing above is expected to throw
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
}
