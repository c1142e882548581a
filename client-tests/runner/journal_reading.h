// Reading one conformance run's evidence: what each journal entry of the client's requests
// says in its provider's terms (create, status query, download; outcome code and message;
// a terminal state seen), and the facts every check shares (the requests by kind, the task's
// end state and result links, the client's printed lines). Pure functions; thread-safe.
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_JOURNAL_READING_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_JOURNAL_READING_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/checks.h"

namespace imagine::conform {

constexpr int64_t kMinPollGapMs = 1000;  // emulated ms between two status queries
constexpr size_t kMaxRetries = 5;        // retries of one request in a row

bool IsCreate(const nlohmann::json& e);
bool IsQuery(const nlohmann::json& e);
bool IsDownload(const nlohmann::json& e);
// The outcome code of a provider answer: Apikley's body code, Evolink's and xAI's HTTP status.
int CodeOf(const nlohmann::json& e, const std::string& provider);
// The provider's message in an answer (a failed task's, or the error's), or "".
std::string MessageOf(const nlohmann::json& e, const std::string& provider);
// Apikley's transient "recordInfo is null" answer to a status query.
bool IsNotReady(const nlohmann::json& e, const std::string& provider);
// A terminal state seen in a status query's answer: "success"/"fail" or "" (xAI's expired is a fail).
std::string TerminalSeen(const nlohmann::json& e, const std::string& provider);
// A create or status query refused as invalid (Apikley code 400/422 but not "recordInfo is
// null", Evolink 400, xAI 400/422 but not a bad key).
bool IsValidationRefusal(const nlohmann::json& e, const std::string& provider);
bool NonRetryable(int code);  // 400, 401, 402, 403, 422
bool Retryable(int code);     // 429, 455, 5xx
int64_t Seq(const nlohmann::json& e);   // the journal's order
int64_t Wall(const nlohmann::json& e);  // when the emulator received it, wall ms
// `s` in quotes, cut to 80 characters.
std::string Quote(std::string s);
// How the client's run ended, for reasons: "exited 1 after 0.3 s", "was killed by signal 11".
std::string HowItEnded(const ClientRun& run, const Timing& t);

// What every check reads, gathered once per run.
struct Facts {
  std::vector<nlohmann::json> creates, queries, downloads;  // the client's requests, by kind, in order
  std::string state;              // the task's state when the client ended, "" if none
  bool succeeded = false;
  bool terminal = false;
  std::vector<std::string> results;  // its result links
  std::vector<std::string> out_lines;  // the client's stdout, line by line, trailing blanks cut
  std::string ended;                 // HowItEnded
  // How many of the client's stdout lines are exactly `url`.
  long Printed(const std::string& url) const;
};
Facts GatherFacts(const Evidence& ev);

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_JOURNAL_READING_H_
