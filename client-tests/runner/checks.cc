#include "runner/checks.h"

#include "runner/check_table.h"
#include "runner/journal_reading.h"

namespace imagine::conform {

using json = nlohmann::json;

const char* OutcomeName(Outcome o) { return o == Outcome::kPass ? "pass" : o == Outcome::kFail ? "FAIL" : "skip"; }

const std::vector<std::string>& CheckNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const NamedCheck& c : CheckTable()) names.push_back(c.name);
    return names;
  }();
  return kNames;
}

std::string CreatedTaskId(const json& e, const std::string& provider) {
  if (!IsCreate(e)) return "";
  json b = json::parse(e.value("response_body", ""), nullptr, false);
  if (!b.is_object()) return "";
  if (provider == "apikley") {
    if (b.value("code", 0) != 200 || !b.contains("data") || !b["data"].is_object()) return "";
    const json& id = b["data"].value("taskId", json());
    return id.is_string() ? id.get<std::string>() : "";
  }
  const char* field = provider == "xai" ? "request_id" : "id";
  if (e.value("status", 0) != 200 || !b.contains(field) || !b[field].is_string()) return "";
  return b[field].get<std::string>();
}

std::vector<CheckResult> Judge(const Evidence& ev) {
  const Facts facts = GatherFacts(ev);
  std::vector<CheckResult> out;
  // created_task is the premise of every other check: a client that never sent a create
  // has been judged on nothing, so everything else is a skip.
  if (facts.creates.empty()) {
    for (const NamedCheck& c : CheckTable()) out.push_back({c.name, Outcome::kSkip, "the client sent no create request"});
    out.front() = {"created_task", Outcome::kFail, "sent no create request: it " + facts.ended};
    return out;
  }
  Judged judged;
  for (const NamedCheck& c : CheckTable()) judged[c.name] = c.judge(ev, facts, judged);
  // Blame: an outcome that fails because a behaviour check (a cause) failed is not judged.
  std::string cause;
  for (const NamedCheck& c : CheckTable()) {
    if (c.role == NamedCheck::Role::kCause && judged.at(c.name).outcome == Outcome::kFail) {
      cause = c.name;
      break;
    }
  }
  for (const NamedCheck& c : CheckTable()) {
    CheckResult& r = judged.at(c.name);
    if (!cause.empty() && c.role == NamedCheck::Role::kOutcome && r.outcome == Outcome::kFail) {
      r = {c.name, Outcome::kSkip, "follows from " + cause};
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace imagine::conform
