// Wording: how one provider words every answer, read from the `x-emulator-dialect` part of
// its OpenAPI document — the status and text of each engine error, the code and message of
// each task failure, and the fixed messages of its envelope. Every provider message lives
// in that table and nowhere else; the dialect's renderers only put the words into their
// envelope. Immutable after Parse; thread-safe.
//
//   x-emulator-dialect:
//     errors:                         # first matching row wins
//       - {code: not_found, rule: route, status: 404, message: Not Found}
//       - {code: permission_denied, rule: model_not_allowed, status: 401,
//          message: "Token does not have access to model: {value}"}
//       - {code: internal, operation: getTaskDetail, status: 500,   # that route's own words
//          message: Failed to retrieve task status}
//       - {status: 500, message: Internal server error}     # no code: any error
//     failures: {generation_failed: {code: "501", message: "..."}, default: {...}}
//     messages: {success: success}
#ifndef IMAGINE_PROVIDERS_COMMON_WORDING_H_
#define IMAGINE_PROVIDERS_COMMON_WORDING_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/task.h"

namespace imagine {

// One row of the error table.
struct ErrorWords {
  std::optional<Code> code;  // nullopt: any code (a catch-all row)
  std::string rule;          // "" = any rule; else the Status's violation rule
  std::string when;          // "" = always; else a flag the dialect sets from its options
  std::string operation;     // "" = any route; else the operationId answering (a route's own words)
  int status = 500;          // the HTTP status, or the body code of an envelope provider
  std::string error_code;    // the provider's error code word, if it has one ("" = none)
  std::string type;          // the provider's error type word, if it has one
  std::string param;         // the field to name when the Status carries no pointer
  std::string message;       // "" = the Status described with its field; "{value}" = its value
  std::string hint;          // sent as X-Emulator-Hint (emulator advice, never in the body)
};

// The code and message a failed task shows.
struct FailureWords {
  std::string code;
  std::string message;
};

class Wording {
 public:
  // Reads `dialect` (the x-emulator-dialect object); `source` names it in errors.
  // kInvalidArgument "<source>: x-emulator-dialect.<key>: <problem>" when a row is malformed,
  // names an unknown code, or there is no catch-all error row.
  static StatusOr<Wording> Parse(const nlohmann::json& dialect, std::string_view source);

  // The first error row matching `status` under the dialect's active `flags`, answered
  // by `operation` ("" = no route: only rows without an operation match).
  const ErrorWords& ErrorFor(const Status& status, const std::set<std::string>& flags,
                             std::string_view operation = {}) const;
  // The text for `status` under `words`: a scenario's own message, else the row's message
  // (with {value}, {field} — the field's path, e.g. image.url — and {detail} — the Status's
  // own message — filled in), else "<field>: <message> (got <value>)".
  static std::string MessageFor(const ErrorWords& words, const Status& status);

  // The words of a failed task: its own overrides, else those of its reason, else the
  // `default` row ({reason} filled in with the reason, or "unknown_error").
  FailureWords FailureFor(const Task& task) const;

  // A fixed message by key (e.g. "success"); "" when the table has none.
  const std::string& Message(std::string_view key) const;

 private:
  std::vector<ErrorWords> errors_;
  std::map<std::string, FailureWords, std::less<>> failures_;
  std::map<std::string, std::string, std::less<>> messages_;
};

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_COMMON_WORDING_H_
