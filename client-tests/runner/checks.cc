#include "runner/checks.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace imagine::conform {
namespace {

using json = nlohmann::json;

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

CheckResult Pass(const char* name) { return {name, Outcome::kPass, ""}; }
CheckResult Fail(const char* name, std::string why) { return {name, Outcome::kFail, std::move(why)}; }
CheckResult Skip(const char* name, std::string why) { return {name, Outcome::kSkip, std::move(why)}; }

}  // namespace

const std::vector<std::string>& CheckNames() {
  static const std::vector<std::string> kNames = {
      "requests_valid",      "body_code_outcome",   "no_retry_non_retryable", "bounded_retry_backoff",
      "tolerates_record_not_ready", "polling_interval", "no_query_after_terminal", "result_json_string",
      "result_url",          "surfaces_failure",    "gives_up_on_stuck",      "callback_acknowledged",
      "callback_duplicate_once"};
  return kNames;
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
  const bool succeeded = ev.task.is_object() && ev.task.value("state", "") == "succeeded";
  std::vector<std::string> results;
  if (ev.task.is_object() && ev.task.contains("results")) results = ev.task["results"].get<std::vector<std::string>>();
  std::vector<std::string> out_lines = Lines(run.out);
  std::vector<CheckResult> r;

  // requests_valid
  if (sc.name == "validation_error") {
    r.push_back(Skip("requests_valid", "the scenario is about validation"));
  } else {
    std::string bad;
    for (const json& e : ev.journal) {
      if (e.value("kind", "") != "request" || !(IsCreate(e) || IsQuery(e))) continue;
      int code = CodeOf(e, p);
      bool refused = p == "apikley" ? (code == 422 && !IsNotReady(e, p)) || code == 400 : code == 400;
      if (refused && bad.empty()) bad = e.value("method", "") + " " + e.value("path", "") + " was refused: " + MessageOf(e, p);
    }
    r.push_back(bad.empty() ? Pass("requests_valid") : Fail("requests_valid", bad));
  }

  // body_code_outcome (Apikley: HTTP 200 with a failing body code)
  {
    const json* failed_create = nullptr;
    for (const json& e : creates) {
      if (e.value("status", 0) == 200 && CodeOf(e, p) != 200 && !Retryable(CodeOf(e, p))) failed_create = &e;
    }
    if (p != "apikley") {
      r.push_back(Skip("body_code_outcome", "Evolink errors carry real HTTP statuses"));
    } else if (failed_create == nullptr) {
      r.push_back(Skip("body_code_outcome", "no create was answered HTTP 200 with a failing code"));
    } else {
      const int64_t seq = (*failed_create)["seq"];
      bool later_success = false;
      for (const json& e : creates) later_success |= e["seq"].get<int64_t>() > seq && CodeOf(e, p) == 200;
      size_t polled = 0;
      for (const json& q : queries) polled += q["seq"].get<int64_t>() > seq;
      const int code = CodeOf(*failed_create, p);
      if (!later_success && polled > 0) {
        r.push_back(Fail("body_code_outcome", "sent " + std::to_string(polled) + " status queries after createTask answered HTTP 200 with code " + std::to_string(code)));
      } else if (!later_success && run.exit_code == 0) {
        r.push_back(Fail("body_code_outcome", "exited 0 although createTask answered code " + std::to_string(code)));
      } else {
        r.push_back(Pass("body_code_outcome"));
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
      r.push_back(Skip("no_retry_non_retryable", "no create was refused with 400/401/402/403/422"));
    } else {
      const int64_t seq = (*refusal)["seq"];
      size_t again = 0;
      for (const json& e : creates) again += e["seq"].get<int64_t>() > seq;
      r.push_back(again == 0 ? Pass("no_retry_non_retryable")
                             : Fail("no_retry_non_retryable", "sent the create " + std::to_string(again) + " more time(s) after code " + std::to_string(CodeOf(*refusal, p))));
    }
  }

  // bounded_retry_backoff (creates answered 429/455/5xx)
  {
    size_t first_error = creates.size();
    for (size_t i = 0; i < creates.size(); ++i) {
      if (Retryable(CodeOf(creates[i], p))) {
        first_error = i;
        break;
      }
    }
    if (first_error == creates.size()) {
      r.push_back(Skip("bounded_retry_backoff", "no create was answered 429/455/5xx"));
    } else {
      size_t end = first_error;
      while (end < creates.size() && Retryable(CodeOf(creates[end], p))) ++end;
      const size_t retries = std::min(end + 1, creates.size()) - first_error - 1;
      std::string why;
      if (retries == 0) why = "did not retry after code " + std::to_string(CodeOf(creates[first_error], p));
      if (why.empty() && retries > 5) why = std::to_string(retries) + " retries (at most 5)";
      int64_t last_gap = -1;
      for (size_t i = first_error + 1; why.empty() && i <= std::min(end, creates.size() - 1); ++i) {
        int64_t gap = creates[i]["wall_ms"].get<int64_t>() - creates[i - 1]["wall_ms"].get<int64_t>();
        if (gap < ev.min_retry_gap_ms) why = "retried after " + std::to_string(gap) + " ms (no backoff)";
        // Growing delays; a gap more than 25 % shorter than the one before is no backoff
        // (less is scheduling noise on a loaded machine).
        else if (last_gap >= 0 && gap * 4 < last_gap * 3) why = "retry gaps shrank: " + std::to_string(last_gap) + " ms then " + std::to_string(gap) + " ms";
        last_gap = gap;
      }
      r.push_back(why.empty() ? Pass("bounded_retry_backoff") : Fail("bounded_retry_backoff", why));
    }
  }

  // tolerates_record_not_ready (only answers about the client's own task count)
  {
    int64_t last_not_ready = -1;
    for (const json& q : queries) {
      if (IsNotReady(q, p) && !ev.task_id.empty() && q.value("task_id", "") == ev.task_id) last_not_ready = q["seq"];
    }
    if (last_not_ready < 0) {
      r.push_back(Skip("tolerates_record_not_ready", "no status query answered \"recordInfo is null\""));
    } else {
      bool kept_polling = false;
      for (const json& q : queries) kept_polling |= q["seq"].get<int64_t>() > last_not_ready;
      r.push_back(kept_polling ? Pass("tolerates_record_not_ready")
                               : Fail("tolerates_record_not_ready", "gave up after a transient \"recordInfo is null\""));
    }
  }

  // polling_interval (emulated clock). A query right after a retryable error is a retry,
  // judged by the backoff rules, so only gaps after a normal answer count.
  if (queries.size() < 2) {
    r.push_back(Skip("polling_interval", "fewer than two status queries"));
  } else {
    int64_t worst = INT64_MAX;
    for (size_t i = 1; i < queries.size(); ++i) {
      if (Retryable(CodeOf(queries[i - 1], p))) continue;
      worst = std::min(worst, queries[i]["at_ms"].get<int64_t>() - queries[i - 1]["at_ms"].get<int64_t>());
    }
    r.push_back(worst >= ev.min_poll_gap_ms
                    ? Pass("polling_interval")
                    : Fail("polling_interval", "two status queries " + std::to_string(worst) + " ms apart on the emulator's clock (at least " + std::to_string(ev.min_poll_gap_ms) + ")"));
  }

  // no_query_after_terminal
  {
    int64_t terminal_seq = -1;
    std::string state;
    for (const json& q : queries) {
      std::string s = TerminalSeen(q, p);
      if (!s.empty()) {
        terminal_seq = q["seq"];
        state = s;
        break;
      }
    }
    if (terminal_seq < 0) {
      r.push_back(Skip("no_query_after_terminal", "no status query saw a terminal state"));
    } else {
      size_t after = 0;
      for (const json& q : queries) after += q["seq"].get<int64_t>() > terminal_seq;
      r.push_back(after == 0 ? Pass("no_query_after_terminal")
                             : Fail("no_query_after_terminal", std::to_string(after) + " status queries after it saw state " + state));
    }
  }

  // result_json_string and result_url
  auto printed = [&](const std::string& url) { return std::count(out_lines.begin(), out_lines.end(), url); };
  bool json_string_failed = false;
  if (sc.expect != Expect::kSuccess || !succeeded) {
    r.push_back(Skip("result_json_string", "the task did not succeed"));
  } else if (p != "apikley") {
    r.push_back(Skip("result_json_string", "only Apikley wraps results in a JSON string"));
  } else {
    bool ok = !results.empty() && printed(results[0]) > 0;
    json_string_failed = !ok;
    r.push_back(ok ? Pass("result_json_string")
                   : Fail("result_json_string", "did not print the URL inside resultJson (printed: \"" + (out_lines.empty() ? std::string() : out_lines.front()) + "\")"));
  }
  if (sc.expect != Expect::kSuccess || !succeeded) {
    r.push_back(Skip("result_url", "the task did not succeed"));
  } else if (json_string_failed) {
    r.push_back(Skip("result_url", "result_json_string failed"));
  } else {
    std::string why;
    if (run.exit_code != 0) why = "exited " + std::to_string(run.exit_code) + " after the task succeeded";
    if (why.empty() && (results.empty() || printed(results[0]) == 0)) why = "did not print the result URL on a line of its own";
    if (why.empty()) {
      bool downloaded = false;
      for (const json& d : downloads) downloaded |= d.value("status", 0) == 200;
      if (!downloaded) why = "never downloaded the result file";
    }
    r.push_back(why.empty() ? Pass("result_url") : Fail("result_url", why));
  }

  // surfaces_failure
  if (sc.expect != Expect::kFailure) {
    r.push_back(Skip("surfaces_failure", "the scenario does not fail"));
  } else if (succeeded) {
    r.push_back(Skip("surfaces_failure", "the client got a task that succeeded after all"));
  } else if (!r[1].reason.empty() && r[1].outcome == Outcome::kFail) {
    r.push_back(Skip("surfaces_failure", "body_code_outcome failed"));
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
      std::string m = p == "apikley" ? (b.contains("data") ? b["data"].value("failMsg", "") : "")
                                     : (b.contains("error") ? b["error"].value("message", "") : "");
      if (!m.empty()) messages.push_back(m);
    }
    const std::string all = run.out + run.err;
    bool said = false;
    for (const std::string& m : messages) said |= all.find(m) != std::string::npos;
    if (run.exit_code == 0) {
      r.push_back(Fail("surfaces_failure", "exited 0 although the task failed"));
    } else if (!said) {
      r.push_back(Fail("surfaces_failure", messages.empty() ? "never saw the failure" : "did not print the provider's message \"" + messages.front() + "\""));
    } else {
      r.push_back(Pass("surfaces_failure"));
    }
  }

  // gives_up_on_stuck
  if (sc.expect != Expect::kGivesUp) {
    r.push_back(Skip("gives_up_on_stuck", "the task is not stuck"));
  } else if (run.timed_out) {
    r.push_back(Fail("gives_up_on_stuck", "still waiting when the runner's timeout killed it"));
  } else {
    r.push_back(run.exit_code != 0 ? Pass("gives_up_on_stuck") : Fail("gives_up_on_stuck", "exited 0 on a task that never finished"));
  }

  // callback checks
  if (!sc.callback) {
    r.push_back(Skip("callback_acknowledged", "not a callback scenario"));
    r.push_back(Skip("callback_duplicate_once", "not a callback scenario"));
  } else if (!ev.client_has_receiver) {
    r.push_back(Skip("callback_acknowledged", "the client opens no receiver"));
    r.push_back(Skip("callback_duplicate_once", "the client opens no receiver"));
  } else {
    if (ev.callbacks.empty()) {
      r.push_back(Skip("callback_acknowledged", "no callback was sent"));
    } else {
      std::string why;
      for (const json& a : ev.callbacks) {
        int status = a.value("status", 0);
        if ((status < 200 || status > 299) && why.empty()) {
          why = "answered callback attempt " + std::to_string(a.value("attempt", 0)) + " with " +
                (status == 0 ? a.value("error", std::string("no response")) : "HTTP " + std::to_string(status));
        }
      }
      r.push_back(why.empty() ? Pass("callback_acknowledged") : Fail("callback_acknowledged", why));
    }
    if (sc.name != "callback_duplicate") {
      r.push_back(Skip("callback_duplicate_once", "no duplicate delivery in this scenario"));
    } else if (!succeeded || results.empty()) {
      r.push_back(Skip("callback_duplicate_once", "the task did not succeed"));
    } else {
      long n = printed(results[0]);
      r.push_back(n == 1 ? Pass("callback_duplicate_once")
                         : Fail("callback_duplicate_once", "printed the result URL " + std::to_string(n) + " times"));
    }
  }
  return r;
}

}  // namespace imagine::conform
