#include "runner/checks.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace imagine::conform {
namespace {

using json = nlohmann::json;

constexpr int64_t kMinPollGapMs = 1000;  // emulated ms between two status queries
constexpr size_t kMaxRetries = 5;        // retries of one request in a row

bool IsCreate(const json& e) {
  const std::string op = e.value("operation", "");
  return op == "createTask" || op == "createVideoGeneration";
}
bool IsQuery(const json& e) { return e.value("operation", "") == "getTaskDetail"; }
bool IsDownload(const json& e) { return e.value("path", "").rfind("/media/", 0) == 0; }

json Body(const json& e) { return json::parse(e.value("response_body", ""), nullptr, false); }

// The outcome code of a provider answer: Apikley's body code, Evolink's HTTP status.
int CodeOf(const json& e, const std::string& provider) {
  if (provider == "apikley") {
    json b = Body(e);
    if (b.is_object() && b.contains("code") && b["code"].is_number_integer()) return b["code"].get<int>();
  }
  return e.value("status", 0);
}

std::string MessageOf(const json& e, const std::string& provider) {
  json b = Body(e);
  if (!b.is_object()) return "";
  if (provider == "apikley") {
    if (b.contains("data") && b["data"].is_object() && b["data"].value("state", "") == "fail") {
      return b["data"].value("failMsg", "");
    }
    return b.value("msg", "");
  }
  if (b.contains("error") && b["error"].is_object()) return b["error"].value("message", "");
  return "";
}

bool IsNotReady(const json& e, const std::string& provider) {
  return provider == "apikley" && IsQuery(e) && MessageOf(e, provider) == "recordInfo is null";
}

// A terminal state seen in a status query's answer: "success"/"fail" or "".
std::string TerminalSeen(const json& e, const std::string& provider) {
  if (!IsQuery(e)) return "";
  json b = Body(e);
  if (!b.is_object()) return "";
  if (provider == "apikley") {
    if (b.value("code", 0) != 200 || !b["data"].is_object()) return "";
    std::string s = b["data"].value("state", "");
    return s == "success" || s == "fail" ? s : "";
  }
  std::string s = b.value("status", "");
  return s == "completed" ? "success" : s == "failed" ? "fail" : "";
}

bool NonRetryable(int code) { return code == 400 || code == 401 || code == 402 || code == 403 || code == 422; }
bool Retryable(int code) { return code == 429 || code == 455 || code >= 500; }

int64_t Seq(const json& e) { return e["seq"].get<int64_t>(); }
int64_t Wall(const json& e) { return e["wall_ms"].get<int64_t>(); }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    out.push_back(line);
  }
  return out;
}

std::string Quote(std::string s) {
  if (s.size() > 80) s = s.substr(0, 80) + "...";
  return "\"" + s + "\"";
}

// How the client's run ended, for reasons: "exited 1 after 0.3 s", "was killed by signal 11".
std::string HowItEnded(const ClientRun& run, const Timing& t) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", run.seconds);
  if (run.timed_out) return "was still running when the runner's timeout (" + std::to_string(static_cast<int>(t.timeout_s)) + " s) killed it";
  if (run.signal != 0) return "was killed by signal " + std::to_string(run.signal);
  return "exited " + std::to_string(run.exit_code) + " after " + seconds + " s";
}

// Judges retries of one kind of request (creates, or status queries), in order: every run
// of retryable answers (429/455/5xx) must be retried, at most kMaxRetries times, and the k-th
// retry must come at least (IMAGINE_RETRY_BASE_MS / 2) * 1.5^(k-1) after the request before it:
// a backoff that starts near the base and grows. Gaps are measured where the emulator received
// the requests; a busy machine only makes them longer, so a well-behaved client never fails
// for it. Returns the first fault, or "".
std::string JudgeRetries(const std::vector<json>& list, const char* what, const Evidence& ev, bool* any_error) {
  const std::string& p = ev.provider;
  const size_t n = list.size();
  for (size_t i = 0; i < n; ++i) {
    if (!Retryable(CodeOf(list[i], p)) || (i > 0 && Retryable(CodeOf(list[i - 1], p)))) continue;
    *any_error = true;
    const int code = CodeOf(list[i], p);
    size_t end = i;
    while (end < n && Retryable(CodeOf(list[end], p))) ++end;
    const size_t last = std::min(end, n - 1);  // the recovering request, or the last retry
    const size_t retries = last - i;
    if (retries == 0) return std::string("did not retry the ") + what + " answered code " + std::to_string(code);
    if (retries > kMaxRetries) {
      return std::string("sent the ") + what + " " + std::to_string(retries) + " more times in a row after code " +
             std::to_string(code) + " (at most " + std::to_string(kMaxRetries) + " retries)";
    }
    double floor = ev.timing.retry_base_ms / 2.0;
    for (size_t k = i + 1; k <= last; ++k, floor *= 1.5) {
      const int64_t gap = Wall(list[k]) - Wall(list[k - 1]);
      if (gap >= static_cast<int64_t>(floor)) continue;
      const std::string at_least = std::to_string(static_cast<int64_t>(floor)) + " ms";
      if (k == i + 1) {
        return std::string("retried the ") + what + " " + std::to_string(gap) + " ms after code " +
               std::to_string(CodeOf(list[k - 1], p)) + " (no backoff: at least " + at_least +
               ", half of IMAGINE_RETRY_BASE_MS)";
      }
      return "retry " + std::to_string(k - i) + " of the " + what + " came " + std::to_string(gap) +
             " ms after the one before (delays must grow: at least " + at_least + ")";
    }
  }
  return "";
}

CheckResult Pass(const char* name) { return {name, Outcome::kPass, ""}; }
CheckResult Fail(const char* name, std::string why) { return {name, Outcome::kFail, std::move(why)}; }
CheckResult Skip(const char* name, std::string why) { return {name, Outcome::kSkip, std::move(why)}; }

// Checks about how the client behaved; when one fails, the outcome checks that fail with it
// are consequences (a client that never retried gets no result) and are not judged.
const std::set<std::string> kCauses = {"requests_valid", "body_code_outcome", "no_retry_non_retryable",
                                       "bounded_retry_backoff", "tolerates_record_not_ready"};
const std::set<std::string> kOutcomes = {"created_task",     "result_json_string",  "result_url",
                                         "surfaces_failure", "expired_link_reported", "gives_up_on_stuck",
                                         "callback_acknowledged", "callback_duplicate_once"};

}  // namespace

const char* OutcomeName(Outcome o) { return o == Outcome::kPass ? "pass" : o == Outcome::kFail ? "FAIL" : "skip"; }

const std::vector<std::string>& CheckNames() {
  static const std::vector<std::string> kNames = {
      "created_task",       "requests_valid",      "body_code_outcome",     "no_retry_non_retryable",
      "bounded_retry_backoff", "tolerates_record_not_ready", "polling_interval", "no_query_after_terminal",
      "result_json_string", "result_url",          "surfaces_failure",      "expired_link_reported",
      "gives_up_on_stuck",  "callback_acknowledged", "callback_duplicate_once"};
  return kNames;
}

std::string CreatedTaskId(const json& e, const std::string& provider) {
  if (!IsCreate(e)) return "";
  json b = Body(e);
  if (!b.is_object()) return "";
  if (provider == "apikley") {
    if (b.value("code", 0) != 200 || !b.contains("data") || !b["data"].is_object()) return "";
    const json& id = b["data"].value("taskId", json());
    return id.is_string() ? id.get<std::string>() : "";
  }
  if (e.value("status", 0) != 200 || !b.contains("id") || !b["id"].is_string()) return "";
  return b["id"].get<std::string>();
}

std::vector<CheckResult> Judge(const Evidence& ev) {
  const std::string& p = ev.provider;
  const ConformScenario& sc = *ev.scenario;
  const ClientRun& run = *ev.run;
  std::vector<json> creates, queries, downloads;
  for (const json& e : ev.journal) {
    if (e.value("kind", "") != "request") continue;
    if (IsCreate(e)) creates.push_back(e);
    if (IsQuery(e)) queries.push_back(e);
    if (IsDownload(e)) downloads.push_back(e);
  }
  std::map<std::string, CheckResult> r;
  auto put = [&r](CheckResult c) { r[c.name] = std::move(c); };
  auto in_order = [&r] {
    std::vector<CheckResult> out;
    for (const std::string& name : CheckNames()) out.push_back(r.at(name));
    return out;
  };

  // created_task: the premise of every other check. A client that never sent a create has
  // been judged on nothing, so everything else is a skip.
  if (creates.empty()) {
    for (const std::string& name : CheckNames()) r[name] = {name, Outcome::kSkip, "the client sent no create request"};
    put(Fail("created_task", "sent no create request: it " + HowItEnded(run, ev.timing)));
    return in_order();
  }
  if (!sc.creates_task || !ev.task_id.empty()) {
    put(Pass("created_task"));
  } else {
    const json& last = creates.back();
    std::string message = MessageOf(last, p);
    put(Fail("created_task", "no create was answered with a task (the last: HTTP " + std::to_string(last.value("status", 0)) +
                                 (p == "apikley" ? ", code " + std::to_string(CodeOf(last, p)) : std::string()) +
                                 (message.empty() ? std::string() : ": " + Quote(message)) + ")"));
  }

  const std::string state = ev.task.is_object() ? ev.task.value("state", "") : "";
  const bool succeeded = state == "succeeded";
  const bool terminal = succeeded || state == "failed";
  std::vector<std::string> results;
  if (ev.task.is_object() && ev.task.contains("results") && ev.task["results"].is_array()) {
    for (const json& u : ev.task["results"]) {
      if (u.is_string()) results.push_back(u.get<std::string>());
    }
  }
  const std::vector<std::string> out_lines = Lines(run.out);
  auto printed = [&](const std::string& url) {
    return static_cast<long>(std::count(out_lines.begin(), out_lines.end(), url));
  };
  const std::string ended = HowItEnded(run, ev.timing);

  // requests_valid
  if (sc.name == "validation_error") {
    put(Skip("requests_valid", "the scenario is about validation"));
  } else {
    std::string bad;
    for (const json& e : ev.journal) {
      if (e.value("kind", "") != "request" || !(IsCreate(e) || IsQuery(e))) continue;
      int code = CodeOf(e, p);
      bool refused = p == "apikley" ? (code == 422 && !IsNotReady(e, p)) || code == 400 : code == 400;
      if (refused && bad.empty()) bad = e.value("method", "") + " " + e.value("path", "") + " was refused: " + MessageOf(e, p);
    }
    put(bad.empty() ? Pass("requests_valid") : Fail("requests_valid", bad));
  }

  // body_code_outcome (Apikley: HTTP 200 with a failing body code)
  {
    const json* failed_create = nullptr;
    for (const json& e : creates) {
      if (e.value("status", 0) == 200 && CodeOf(e, p) != 200 && !Retryable(CodeOf(e, p))) failed_create = &e;
    }
    if (p != "apikley") {
      put(Skip("body_code_outcome", "Evolink errors carry real HTTP statuses"));
    } else if (failed_create == nullptr) {
      put(Skip("body_code_outcome", "no create was answered HTTP 200 with a failing code"));
    } else {
      const int64_t seq = Seq(*failed_create);
      bool later_success = false;
      for (const json& e : creates) later_success |= Seq(e) > seq && CodeOf(e, p) == 200;
      size_t polled = 0;
      for (const json& q : queries) polled += Seq(q) > seq;
      const int code = CodeOf(*failed_create, p);
      if (!later_success && polled > 0) {
        put(Fail("body_code_outcome", "sent " + std::to_string(polled) + " status queries after createTask answered HTTP 200 with code " + std::to_string(code)));
      } else if (!later_success && run.exit_code == 0) {
        put(Fail("body_code_outcome", "exited 0 although createTask answered code " + std::to_string(code)));
      } else {
        put(Pass("body_code_outcome"));
      }
    }
  }

  // no_retry_non_retryable
  {
    const json* refusal = nullptr;
    for (const json& e : creates) {
      if (NonRetryable(CodeOf(e, p)) && refusal == nullptr) refusal = &e;
    }
    if (refusal == nullptr) {
      put(Skip("no_retry_non_retryable", "no create was refused with 400/401/402/403/422"));
    } else {
      const int64_t seq = Seq(*refusal);
      size_t again = 0;
      for (const json& e : creates) again += Seq(e) > seq;
      put(again == 0 ? Pass("no_retry_non_retryable")
                     : Fail("no_retry_non_retryable", "sent the create " + std::to_string(again) + " more time(s) after code " + std::to_string(CodeOf(*refusal, p))));
    }
  }

  // bounded_retry_backoff: creates and status queries answered 429/455/5xx
  {
    bool any_error = false;
    std::string why = JudgeRetries(creates, "create", ev, &any_error);
    if (why.empty()) why = JudgeRetries(queries, "status query", ev, &any_error);
    if (!any_error) {
      put(Skip("bounded_retry_backoff", "no create or status query was answered 429/455/5xx"));
    } else {
      put(why.empty() ? Pass("bounded_retry_backoff") : Fail("bounded_retry_backoff", why));
    }
  }

  // tolerates_record_not_ready (only answers about the client's own task count)
  {
    int64_t last_not_ready = -1;
    for (const json& q : queries) {
      if (IsNotReady(q, p) && !ev.task_id.empty() && q.value("task_id", "") == ev.task_id) last_not_ready = Seq(q);
    }
    if (last_not_ready < 0) {
      put(Skip("tolerates_record_not_ready", "no status query answered \"recordInfo is null\""));
    } else {
      bool kept_polling = false;
      for (const json& q : queries) kept_polling |= Seq(q) > last_not_ready;
      put(kept_polling ? Pass("tolerates_record_not_ready")
                       : Fail("tolerates_record_not_ready", "gave up after a transient \"recordInfo is null\""));
    }
  }

  // polling_interval (emulated clock). A query right after a retryable error is a retry,
  // judged by the backoff rules, so only gaps after a normal answer count.
  {
    int64_t worst = INT64_MAX;
    for (size_t i = 1; i < queries.size(); ++i) {
      if (Retryable(CodeOf(queries[i - 1], p))) continue;
      worst = std::min(worst, queries[i]["at_ms"].get<int64_t>() - queries[i - 1]["at_ms"].get<int64_t>());
    }
    if (worst == INT64_MAX) {
      put(Skip("polling_interval", "no two status queries in a row after a normal answer"));
    } else {
      put(worst >= kMinPollGapMs
              ? Pass("polling_interval")
              : Fail("polling_interval", "two status queries " + std::to_string(worst) + " ms apart on the emulator's clock (at least " + std::to_string(kMinPollGapMs) + ")"));
    }
  }

  // no_query_after_terminal
  {
    int64_t terminal_seq = -1;
    std::string seen;
    for (const json& q : queries) {
      seen = TerminalSeen(q, p);
      if (!seen.empty()) {
        terminal_seq = Seq(q);
        break;
      }
    }
    if (terminal_seq < 0) {
      put(Skip("no_query_after_terminal", "no status query saw a terminal state"));
    } else {
      size_t after = 0;
      for (const json& q : queries) after += Seq(q) > terminal_seq;
      put(after == 0 ? Pass("no_query_after_terminal")
                     : Fail("no_query_after_terminal", std::to_string(after) + " status queries after it saw state " + seen));
    }
  }

  // result_json_string: Apikley's resultJson is a JSON string; a client that misreads it
  // prints something else than the URL.
  if (p != "apikley") {
    put(Skip("result_json_string", "only Apikley wraps results in a JSON string"));
  } else if (sc.expect != Expect::kSuccess) {
    put(Skip("result_json_string", "the scenario does not end in a result"));
  } else if (!succeeded || results.empty()) {
    put(Skip("result_json_string", "the task had not succeeded when the client ended (result_url says why)"));
  } else if (run.exit_code != 0) {
    put(Skip("result_json_string", "the client did not exit 0 (result_url says why)"));
  } else if (printed(results[0]) > 0) {
    put(Pass("result_json_string"));
  } else if (run.out.empty()) {
    put(Skip("result_json_string", "the client printed nothing (result_url says why)"));
  } else {
    put(Fail("result_json_string", "printed " + Quote(out_lines.empty() ? "" : out_lines.front()) + " instead of the URL inside resultJson"));
  }

  // result_url
  if (sc.expect != Expect::kSuccess) {
    put(Skip("result_url", "the scenario does not end in a result"));
  } else if (ev.task_id.empty()) {
    put(Skip("result_url", "no task was created"));
  } else if (run.timed_out || run.exit_code != 0) {
    put(Fail("result_url", "it " + ended + (succeeded ? " although the task succeeded" : " (the task was " + state + ")")));
  } else if (!succeeded || results.empty()) {
    put(Fail("result_url", "exited 0 while the task was still " + state));
  } else if (r.at("result_json_string").outcome == Outcome::kFail) {
    put(Skip("result_url", "result_json_string failed"));
  } else if (printed(results[0]) == 0) {
    put(Fail("result_url", "did not print the result URL on a line of its own"));
  } else {
    bool downloaded = false;
    for (const json& d : downloads) downloaded |= d.value("status", 0) == 200;
    put(downloaded ? Pass("result_url") : Fail("result_url", "never downloaded the result file"));
  }

  // surfaces_failure
  if (sc.expect != Expect::kFailure) {
    put(Skip("surfaces_failure", "the scenario does not fail"));
  } else if (succeeded) {
    put(Skip("surfaces_failure", "the client got a task that succeeded after all"));
  } else {
    std::vector<std::string> messages;
    for (const json& e : ev.journal) {
      if (e.value("kind", "") != "request") continue;
      if ((IsCreate(e) && CodeOf(e, p) != 200) || TerminalSeen(e, p) == "fail") {
        std::string m = MessageOf(e, p);
        if (!m.empty()) messages.push_back(m);
      }
    }
    for (const json& a : ev.callbacks) {
      json b = json::parse(a.value("request_body", ""), nullptr, false);
      if (!b.is_object()) continue;
      std::string m = p == "apikley" ? (b.contains("data") && b["data"].is_object() ? b["data"].value("failMsg", "") : "")
                                     : (b.contains("error") && b["error"].is_object() ? b["error"].value("message", "") : "");
      if (!m.empty()) messages.push_back(m);
    }
    const std::string all = run.out + run.err;
    bool said = false;
    for (const std::string& m : messages) said |= all.find(m) != std::string::npos;
    if (run.timed_out) {
      put(Fail("surfaces_failure", "it " + ended));
    } else if (run.exit_code == 0) {
      put(Fail("surfaces_failure", "exited 0 although the task failed"));
    } else if (!said) {
      put(Fail("surfaces_failure", messages.empty() ? "never saw the failure" : "did not print the provider's message " + Quote(messages.front())));
    } else {
      put(Pass("surfaces_failure"));
    }
  }

  // expired_link_reported: the result link answers 404; the client must say so.
  if (sc.expect != Expect::kExpiredLink) {
    put(Skip("expired_link_reported", "the result link does not expire in this scenario"));
  } else if (!succeeded || results.empty()) {
    put(Skip("expired_link_reported", "the task had not succeeded when the client ended"));
  } else if (downloads.empty()) {
    put(Skip("expired_link_reported", "the client never tried to download the result (result_url judges that)"));
  } else if (run.timed_out) {
    put(Fail("expired_link_reported", "it " + ended));
  } else if (printed(results[0]) > 0) {
    put(Fail("expired_link_reported", "printed the expired URL as its result (the download answered HTTP " + std::to_string(downloads.back().value("status", 0)) + ")"));
  } else if (run.exit_code == 0) {
    put(Fail("expired_link_reported", "exited 0 although the download answered HTTP " + std::to_string(downloads.back().value("status", 0))));
  } else {
    put(Pass("expired_link_reported"));
  }

  // gives_up_on_stuck
  if (sc.expect != Expect::kGivesUp) {
    put(Skip("gives_up_on_stuck", "the task is not stuck"));
  } else if (ev.task_id.empty()) {
    put(Skip("gives_up_on_stuck", "no task was created"));
  } else if (run.timed_out || run.exit_code == 0) {
    put(Fail("gives_up_on_stuck", "it " + ended + " on a task that never finishes"));
  } else if (run.seconds < ev.timing.max_wait_s / 2.0) {
    put(Fail("gives_up_on_stuck", "it " + ended + ", long before IMAGINE_MAX_WAIT_S (" + std::to_string(ev.timing.max_wait_s) + " s)"));
  } else {
    put(Pass("gives_up_on_stuck"));
  }

  // callback checks
  const std::string callback_url = ev.task.is_object() ? ev.task.value("callback_url", "") : "";
  if (!sc.callback) {
    put(Skip("callback_acknowledged", "not a callback scenario"));
  } else if (!ev.client_has_receiver) {
    put(Skip("callback_acknowledged", "the client opens no receiver (--no-callback-receiver)"));
  } else if (ev.task_id.empty()) {
    put(Skip("callback_acknowledged", "no task was created"));
  } else if (callback_url.empty()) {
    put(Fail("callback_acknowledged", std::string("the create named no callback URL (") +
                                          (p == "apikley" ? "callBackUrl" : "callback_url") +
                                          "); a client without a receiver needs --no-callback-receiver"));
  } else if (ev.callbacks.empty()) {
    put(Skip("callback_acknowledged", terminal ? "no callback was sent" : "the task had not finished, so no callback was due"));
  } else {
    std::string why;
    for (const json& a : ev.callbacks) {
      int status = a.value("status", 0);
      if ((status < 200 || status > 299) && why.empty()) {
        why = "answered callback attempt " + std::to_string(a.value("attempt", 0)) + " with " +
              (status == 0 ? a.value("error", std::string("no response")) : "HTTP " + std::to_string(status));
      }
    }
    put(why.empty() ? Pass("callback_acknowledged") : Fail("callback_acknowledged", why));
  }
  if (!sc.callback || !sc.duplicate_delivery) {
    put(Skip("callback_duplicate_once", "no duplicate delivery in this scenario"));
  } else if (!ev.client_has_receiver) {
    put(Skip("callback_duplicate_once", "the client opens no receiver (--no-callback-receiver)"));
  } else if (ev.callbacks.size() < 2) {
    put(Skip("callback_duplicate_once", "the callback was not delivered twice"));
  } else if (!succeeded || results.empty() || run.exit_code != 0) {
    put(Skip("callback_duplicate_once", "the client did not end with a result (result_url says why)"));
  } else if (printed(results[0]) == 0) {
    put(Skip("callback_duplicate_once", "the client did not print the result URL (result_json_string or result_url says why)"));
  } else {
    long n = printed(results[0]);
    put(n == 1 ? Pass("callback_duplicate_once")
               : Fail("callback_duplicate_once", "printed the result URL " + std::to_string(n) + " times"));
  }

  // Blame: an outcome that fails because of a failed behaviour check is not judged.
  std::string cause;
  for (const std::string& name : CheckNames()) {
    if (kCauses.count(name) && r.at(name).outcome == Outcome::kFail && cause.empty()) cause = name;
  }
  if (!cause.empty()) {
    for (const std::string& name : kOutcomes) {
      CheckResult& c = r.at(name);
      if (c.outcome == Outcome::kFail) c = {name, Outcome::kSkip, "follows from " + cause};
    }
  }
  return in_order();
}

}  // namespace imagine::conform
