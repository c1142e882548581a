#include "providers/common/wording.h"

#include "common/text.h"
#include "providers/common/request_body.h"

namespace imagine {
namespace {

std::string Replace(std::string text, std::string_view token, std::string_view value) {
  for (size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size())) {
    text.replace(at, token.size(), value);
  }
  return text;
}

// A string member of a row, or "" when absent; false when present but not a string.
bool Text(const nlohmann::json& row, const char* key, std::string* out) {
  auto it = row.find(key);
  if (it == row.end()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

}  // namespace

StatusOr<Wording> Wording::Parse(const nlohmann::json& dialect, std::string_view source) {
  auto bad = [&](const std::string& where, const std::string& problem) {
    return InvalidArgument(std::string(source) + ": x-emulator-dialect." + where + ": " + problem);
  };
  Wording w;
  const auto errors = dialect.find("errors");
  if (errors == dialect.end() || !errors->is_array()) return bad("errors", "must be a list of rows");
  bool catch_all = false;
  for (size_t i = 0; i < errors->size(); ++i) {
    const nlohmann::json& row = (*errors)[i];
    const std::string where = "errors[" + std::to_string(i) + "]";
    if (!row.is_object()) return bad(where, "must be a mapping");
    ErrorWords e;
    std::string code;
    if (!Text(row, "code", &code) || !Text(row, "rule", &e.rule) || !Text(row, "when", &e.when) ||
        !Text(row, "operation", &e.operation) ||
        !Text(row, "error_code", &e.error_code) || !Text(row, "type", &e.type) || !Text(row, "param", &e.param) ||
        !Text(row, "message", &e.message) || !Text(row, "hint", &e.hint)) {
      return bad(where, "code, rule, when, operation, error_code, type, param, message and hint must be strings");
    }
    for (const auto& [key, value] : row.items()) {
      static const std::set<std::string> kKeys = {"code", "rule",  "when",    "operation", "status",
                                                  "error_code", "type", "param", "message", "hint"};
      if (kKeys.count(key) == 0) return bad(where + "." + key, "unknown key");
    }
    if (!code.empty()) {
      Code c;
      if (!CodeFromName(code, &c)) return bad(where + ".code", "unknown code '" + code + "'");
      e.code = c;
    }
    auto status = row.find("status");
    if (status == row.end() || !status->is_number_integer()) return bad(where + ".status", "must be an integer");
    e.status = status->get<int>();
    catch_all = catch_all || (!e.code && e.rule.empty() && e.when.empty() && e.operation.empty());
    w.errors_.push_back(std::move(e));
  }
  if (!catch_all) return bad("errors", "needs a last row without code, rule, when or operation");
  if (auto failures = dialect.find("failures"); failures != dialect.end()) {
    if (!failures->is_object()) return bad("failures", "must map reasons to {code, message}");
    for (const auto& [reason, words] : failures->items()) {
      FailureWords f;
      if (!words.is_object() || !Text(words, "code", &f.code) || !Text(words, "message", &f.message)) {
        return bad("failures." + reason, "must be {code, message} strings");
      }
      w.failures_.emplace(reason, std::move(f));
    }
  }
  if (w.failures_.count("default") == 0) return bad("failures", "needs a default row");
  if (auto messages = dialect.find("messages"); messages != dialect.end()) {
    if (!messages->is_object()) return bad("messages", "must map names to texts");
    for (const auto& [key, text] : messages->items()) {
      if (!text.is_string()) return bad("messages." + key, "must be a string");
      w.messages_.emplace(key, text.get<std::string>());
    }
  }
  return w;
}

const ErrorWords& Wording::ErrorFor(const Status& status, const std::set<std::string>& flags,
                                    std::string_view operation) const {
  for (const ErrorWords& e : errors_) {
    if (!e.operation.empty() && e.operation != operation) continue;
    if (e.code && *e.code != status.code()) continue;
    if (!e.rule.empty() && e.rule != status.violation().rule) continue;
    if (!e.when.empty() && flags.count(e.when) == 0) continue;
    return e;
  }
  return errors_.back();  // Parse guarantees a catch-all row
}

std::string Wording::MessageFor(const ErrorWords& words, const Status& status) {
  if (status.violation().rule == "scenario" && !status.message().empty()) return status.message();
  if (!words.message.empty()) {
    std::string text = Replace(words.message, "{value}", status.violation().value);
    text = Replace(text, "{field}", PointerToFieldPath(status.violation().pointer));
    return Replace(text, "{detail}", status.message());
  }
  return DescribeViolation(status);
}

FailureWords Wording::FailureFor(const Task& task) const {
  auto it = failures_.find(task.fail_reason);
  FailureWords w = it != failures_.end() && !task.fail_reason.empty() ? it->second : failures_.find("default")->second;
  const std::string reason = task.fail_reason.empty() ? "unknown_error" : task.fail_reason;
  w.code = Replace(w.code, "{reason}", reason);
  w.message = Replace(w.message, "{reason}", reason);
  if (!task.fail_code.empty()) w.code = task.fail_code;
  if (!task.fail_message.empty()) w.message = task.fail_message;
  return w;
}

const std::string& Wording::Message(std::string_view key) const {
  static const std::string kNone;
  auto it = messages_.find(key);
  return it == messages_.end() ? kNone : it->second;
}

}  // namespace imagine
