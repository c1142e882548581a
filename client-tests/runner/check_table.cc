#include "runner/check_table.h"

#include <algorithm>
#include <cstdint>

namespace imagine::conform {
namespace {

using json = nlohmann::json;

CheckResult Pass(const char* name) { return {name, Outcome::kPass, ""}; }
CheckResult Fail(const char* name, std::string why) { return {name, Outcome::kFail, std::move(why)}; }
CheckResult Skip(const char* name, std::string why) { return {name, Outcome::kSkip, std::move(why)}; }

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

// The client sent a create (Judge skips everything otherwise); was one answered with a task?
CheckResult CreatedTask(const Evidence& ev, const Facts& f, const Judged&) {
  if (!ev.scenario->creates_task || !ev.task_id.empty()) return Pass("created_task");
  const std::string& p = ev.provider;
  const json& last = f.creates.back();
  const std::string message = MessageOf(last, p);
  return Fail("created_task", "no create was answered with a task (the last: HTTP " + std::to_string(last.value("status", 0)) +
                                  (p == "apikley" ? ", code " + std::to_string(CodeOf(last, p)) : std::string()) +
                                  (message.empty() ? std::string() : ": " + Quote(message)) + ")");
}

CheckResult RequestsValid(const Evidence& ev, const Facts&, const Judged&) {
  if (ev.scenario->name == "validation_error") return Skip("requests_valid", "the scenario is about validation");
  const std::string& p = ev.provider;
  for (const json& e : ev.journal) {
    if (e.value("kind", "") != "request" || !(IsCreate(e) || IsQuery(e))) continue;
    if (IsValidationRefusal(e, p)) {
      return Fail("requests_valid", e.value("method", "") + " " + e.value("path", "") + " was refused: " + MessageOf(e, p));
    }
  }
  return Pass("requests_valid");
}

// Apikley answers some failures HTTP 200 with a failing body code.
CheckResult BodyCodeOutcome(const Evidence& ev, const Facts& f, const Judged&) {
  const std::string& p = ev.provider;
  if (p != "apikley") return Skip("body_code_outcome", "only Apikley answers errors HTTP 200; the others carry real HTTP statuses");
  const json* failed_create = nullptr;
  for (const json& e : f.creates) {
    if (e.value("status", 0) == 200 && CodeOf(e, p) != 200 && !Retryable(CodeOf(e, p))) failed_create = &e;
  }
  if (failed_create == nullptr) return Skip("body_code_outcome", "no create was answered HTTP 200 with a failing code");
  const int64_t seq = Seq(*failed_create);
  bool later_success = false;
  for (const json& e : f.creates) later_success |= Seq(e) > seq && CodeOf(e, p) == 200;
  size_t polled = 0;
  for (const json& q : f.queries) polled += Seq(q) > seq;
  const int code = CodeOf(*failed_create, p);
  if (!later_success && polled > 0) {
    return Fail("body_code_outcome", "sent " + std::to_string(polled) +
                                         " status queries after createTask answered HTTP 200 with code " + std::to_string(code));
  }
  if (!later_success && ev.run->exit_code == 0) {
    return Fail("body_code_outcome", "exited 0 although createTask answered code " + std::to_string(code));
  }
  return Pass("body_code_outcome");
}

CheckResult NoRetryNonRetryable(const Evidence& ev, const Facts& f, const Judged&) {
  const json* refusal = nullptr;
  for (const json& e : f.creates) {
    if (NonRetryable(CodeOf(e, ev.provider)) && refusal == nullptr) refusal = &e;
  }
  if (refusal == nullptr) return Skip("no_retry_non_retryable", "no create was refused with 400/401/402/403/422");
  const int64_t seq = Seq(*refusal);
  size_t again = 0;
  for (const json& e : f.creates) again += Seq(e) > seq;
  if (again == 0) return Pass("no_retry_non_retryable");
  return Fail("no_retry_non_retryable", "sent the create " + std::to_string(again) + " more time(s) after code " +
                                            std::to_string(CodeOf(*refusal, ev.provider)));
}

// Creates and status queries answered 429/455/5xx.
CheckResult BoundedRetryBackoff(const Evidence& ev, const Facts& f, const Judged&) {
  bool any_error = false;
  std::string why = JudgeRetries(f.creates, "create", ev, &any_error);
  if (why.empty()) why = JudgeRetries(f.queries, "status query", ev, &any_error);
  if (!any_error) return Skip("bounded_retry_backoff", "no create or status query was answered 429/455/5xx");
  return why.empty() ? Pass("bounded_retry_backoff") : Fail("bounded_retry_backoff", why);
}

// Only answers about the client's own task count.
CheckResult ToleratesRecordNotReady(const Evidence& ev, const Facts& f, const Judged&) {
  int64_t last_not_ready = -1;
  for (const json& q : f.queries) {
    if (IsNotReady(q, ev.provider) && !ev.task_id.empty() && q.value("task_id", "") == ev.task_id) last_not_ready = Seq(q);
  }
  if (last_not_ready < 0) return Skip("tolerates_record_not_ready", "no status query answered \"recordInfo is null\"");
  bool kept_polling = false;
  for (const json& q : f.queries) kept_polling |= Seq(q) > last_not_ready;
  return kept_polling ? Pass("tolerates_record_not_ready")
                      : Fail("tolerates_record_not_ready", "gave up after a transient \"recordInfo is null\"");
}

// On the emulated clock. A query right after a retryable error is a retry, judged by the
// backoff rules, so only gaps after a normal answer count.
CheckResult PollingInterval(const Evidence& ev, const Facts& f, const Judged&) {
  int64_t worst = INT64_MAX;
  for (size_t i = 1; i < f.queries.size(); ++i) {
    if (Retryable(CodeOf(f.queries[i - 1], ev.provider))) continue;
    worst = std::min(worst, f.queries[i]["at_ms"].get<int64_t>() - f.queries[i - 1]["at_ms"].get<int64_t>());
  }
  if (worst == INT64_MAX) return Skip("polling_interval", "no two status queries in a row after a normal answer");
  if (worst >= kMinPollGapMs) return Pass("polling_interval");
  return Fail("polling_interval", "two status queries " + std::to_string(worst) + " ms apart on the emulator's clock (at least " +
                                      std::to_string(kMinPollGapMs) + ")");
}

CheckResult NoQueryAfterTerminal(const Evidence& ev, const Facts& f, const Judged&) {
  int64_t terminal_seq = -1;
  std::string seen;
  for (const json& q : f.queries) {
    seen = TerminalSeen(q, ev.provider);
    if (!seen.empty()) {
      terminal_seq = Seq(q);
      break;
    }
  }
  if (terminal_seq < 0) return Skip("no_query_after_terminal", "no status query saw a terminal state");
  size_t after = 0;
  for (const json& q : f.queries) after += Seq(q) > terminal_seq;
  if (after == 0) return Pass("no_query_after_terminal");
  return Fail("no_query_after_terminal", std::to_string(after) + " status queries after it saw state " + seen);
}

// Apikley's resultJson is a JSON string; a client that misreads it prints something else
// than the URL.
CheckResult ResultJsonString(const Evidence& ev, const Facts& f, const Judged&) {
  const char* name = "result_json_string";
  if (ev.provider != "apikley") return Skip(name, "only Apikley wraps results in a JSON string");
  if (ev.scenario->expect != Expect::kSuccess) return Skip(name, "the scenario does not end in a result");
  if (!f.succeeded || f.results.empty()) {
    return Skip(name, "the task had not succeeded when the client ended (result_url says why)");
  }
  if (ev.run->exit_code != 0) return Skip(name, "the client did not exit 0 (result_url says why)");
  if (f.Printed(f.results[0]) > 0) return Pass(name);
  if (ev.run->out.empty()) return Skip(name, "the client printed nothing (result_url says why)");
  return Fail(name, "printed " + Quote(f.out_lines.empty() ? "" : f.out_lines.front()) + " instead of the URL inside resultJson");
}

CheckResult ResultUrl(const Evidence& ev, const Facts& f, const Judged& earlier) {
  const char* name = "result_url";
  const ClientRun& run = *ev.run;
  if (ev.scenario->expect != Expect::kSuccess) return Skip(name, "the scenario does not end in a result");
  if (ev.task_id.empty()) return Skip(name, "no task was created");
  if (run.timed_out || run.exit_code != 0) {
    return Fail(name, "it " + f.ended + (f.succeeded ? " although the task succeeded" : " (the task was " + f.state + ")"));
  }
  if (!f.succeeded || f.results.empty()) return Fail(name, "exited 0 while the task was still " + f.state);
  if (earlier.at("result_json_string").outcome == Outcome::kFail) return Skip(name, "result_json_string failed");
  if (f.Printed(f.results[0]) == 0) return Fail(name, "did not print the result URL on a line of its own");
  bool downloaded = false;
  for (const json& d : f.downloads) downloaded |= d.value("status", 0) == 200;
  return downloaded ? Pass(name) : Fail(name, "never downloaded the result file");
}

// The provider's failure messages the client could have seen: refused creates, a failed
// state in a status query, the callback's body.
std::vector<std::string> FailureMessages(const Evidence& ev) {
  const std::string& p = ev.provider;
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
  return messages;
}

CheckResult SurfacesFailure(const Evidence& ev, const Facts& f, const Judged&) {
  const char* name = "surfaces_failure";
  const ClientRun& run = *ev.run;
  if (ev.scenario->expect != Expect::kFailure) return Skip(name, "the scenario does not fail");
  if (f.succeeded) return Skip(name, "the client got a task that succeeded after all");
  const std::vector<std::string> messages = FailureMessages(ev);
  const std::string all = run.out + run.err;
  bool said = false;
  for (const std::string& m : messages) said |= all.find(m) != std::string::npos;
  if (run.timed_out) return Fail(name, "it " + f.ended);
  if (run.exit_code == 0) return Fail(name, "exited 0 although the task failed");
  if (!said) {
    return Fail(name, messages.empty() ? "never saw the failure" : "did not print the provider's message " + Quote(messages.front()));
  }
  return Pass(name);
}

// The result link answers 404; the client must say so.
CheckResult ExpiredLinkReported(const Evidence& ev, const Facts& f, const Judged&) {
  const char* name = "expired_link_reported";
  const ClientRun& run = *ev.run;
  if (ev.scenario->expect != Expect::kExpiredLink) return Skip(name, "the result link does not expire in this scenario");
  if (!f.succeeded || f.results.empty()) return Skip(name, "the task had not succeeded when the client ended");
  // xAI says so itself: a request whose video link has expired answers status "expired", no URL.
  bool saw_expired = false;
  for (const json& q : f.queries) {
    const json b = json::parse(q.value("response_body", ""), nullptr, false);
    saw_expired |= ev.provider == "xai" && b.is_object() && b.value("status", "") == "expired";
  }
  if (saw_expired && f.downloads.empty()) {
    if (run.timed_out) return Fail(name, "it " + f.ended);
    if (run.exit_code == 0) return Fail(name, "exited 0 although the request answered status expired");
    return Pass(name);
  }
  if (f.downloads.empty()) return Skip(name, "the client never tried to download the result (result_url judges that)");
  if (run.timed_out) return Fail(name, "it " + f.ended);
  const std::string answered = std::to_string(f.downloads.back().value("status", 0));
  if (f.Printed(f.results[0]) > 0) {
    return Fail(name, "printed the expired URL as its result (the download answered HTTP " + answered + ")");
  }
  if (run.exit_code == 0) return Fail(name, "exited 0 although the download answered HTTP " + answered);
  return Pass(name);
}

CheckResult GivesUpOnStuck(const Evidence& ev, const Facts& f, const Judged&) {
  const char* name = "gives_up_on_stuck";
  const ClientRun& run = *ev.run;
  if (ev.scenario->expect != Expect::kGivesUp) return Skip(name, "the task is not stuck");
  if (ev.task_id.empty()) return Skip(name, "no task was created");
  if (run.timed_out || run.exit_code == 0) return Fail(name, "it " + f.ended + " on a task that never finishes");
  if (run.seconds < ev.timing.max_wait_s / 2.0) {
    return Fail(name, "it " + f.ended + ", long before IMAGINE_MAX_WAIT_S (" + std::to_string(ev.timing.max_wait_s) + " s)");
  }
  return Pass(name);
}

CheckResult CallbackAcknowledged(const Evidence& ev, const Facts& f, const Judged&) {
  const char* name = "callback_acknowledged";
  const std::string callback_url = ev.task.is_object() ? ev.task.value("callback_url", "") : "";
  if (!ev.scenario->callback) return Skip(name, "not a callback scenario");
  if (!ev.client_has_receiver) return Skip(name, "the client opens no receiver (--no-callback-receiver)");
  if (ev.task_id.empty()) return Skip(name, "no task was created");
  if (callback_url.empty()) {
    return Fail(name, std::string("the create named no callback URL (") +
                          (ev.provider == "apikley" ? "callBackUrl" : "callback_url") +
                          "); a client without a receiver needs --no-callback-receiver");
  }
  if (ev.callbacks.empty()) {
    return Skip(name, f.terminal ? "no callback was sent" : "the task had not finished, so no callback was due");
  }
  for (const json& a : ev.callbacks) {
    const int status = a.value("status", 0);
    if (status < 200 || status > 299) {
      return Fail(name, "answered callback attempt " + std::to_string(a.value("attempt", 0)) + " with " +
                            (status == 0 ? a.value("error", std::string("no response")) : "HTTP " + std::to_string(status)));
    }
  }
  return Pass(name);
}

CheckResult CallbackDuplicateOnce(const Evidence& ev, const Facts& f, const Judged&) {
  const char* name = "callback_duplicate_once";
  if (!ev.scenario->callback || !ev.scenario->duplicate_delivery) return Skip(name, "no duplicate delivery in this scenario");
  if (!ev.client_has_receiver) return Skip(name, "the client opens no receiver (--no-callback-receiver)");
  if (ev.callbacks.size() < 2) return Skip(name, "the callback was not delivered twice");
  if (!f.succeeded || f.results.empty() || ev.run->exit_code != 0) {
    return Skip(name, "the client did not end with a result (result_url says why)");
  }
  const long n = f.Printed(f.results[0]);
  if (n == 0) return Skip(name, "the client did not print the result URL (result_json_string or result_url says why)");
  return n == 1 ? Pass(name) : Fail(name, "printed the result URL " + std::to_string(n) + " times");
}

}  // namespace

const std::vector<NamedCheck>& CheckTable() {
  using Role = NamedCheck::Role;
  static const std::vector<NamedCheck> kTable = {
      {"created_task", Role::kOutcome, &CreatedTask},
      {"requests_valid", Role::kCause, &RequestsValid},
      {"body_code_outcome", Role::kCause, &BodyCodeOutcome},
      {"no_retry_non_retryable", Role::kCause, &NoRetryNonRetryable},
      {"bounded_retry_backoff", Role::kCause, &BoundedRetryBackoff},
      {"tolerates_record_not_ready", Role::kCause, &ToleratesRecordNotReady},
      {"polling_interval", Role::kOther, &PollingInterval},
      {"no_query_after_terminal", Role::kOther, &NoQueryAfterTerminal},
      {"result_json_string", Role::kOutcome, &ResultJsonString},
      {"result_url", Role::kOutcome, &ResultUrl},
      {"surfaces_failure", Role::kOutcome, &SurfacesFailure},
      {"expired_link_reported", Role::kOutcome, &ExpiredLinkReported},
      {"gives_up_on_stuck", Role::kOutcome, &GivesUpOnStuck},
      {"callback_acknowledged", Role::kOutcome, &CallbackAcknowledged},
      {"callback_duplicate_once", Role::kOutcome, &CallbackDuplicateOnce},
  };
  return kTable;
}

}  // namespace imagine::conform
