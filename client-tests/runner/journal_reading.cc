#include "runner/journal_reading.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace imagine::conform {

using json = nlohmann::json;

namespace {
json Body(const json& e) { return json::parse(e.value("response_body", ""), nullptr, false); }
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
}  // namespace

bool IsCreate(const json& e) {
  const std::string op = e.value("operation", "");
  return op == "createTask" || op == "createVideoGeneration";
}
bool IsQuery(const json& e) {
  const std::string op = e.value("operation", "");
  return op == "getTaskDetail" || op == "getVideoGeneration";
}
bool IsDownload(const json& e) { return e.value("path", "").rfind("/media/", 0) == 0; }

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
  if (provider == "xai" && b.contains("error") && b["error"].is_string()) return b["error"].get<std::string>();
  return "";
}

bool IsNotReady(const json& e, const std::string& provider) {
  return provider == "apikley" && IsQuery(e) && MessageOf(e, provider) == "recordInfo is null";
}

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
  if (provider == "xai") return s == "done" ? "success" : s == "failed" || s == "expired" ? "fail" : "";
  return s == "completed" ? "success" : s == "failed" ? "fail" : "";
}

bool IsValidationRefusal(const json& e, const std::string& provider) {
  const int code = CodeOf(e, provider);
  if (provider == "apikley") return (code == 422 && !IsNotReady(e, provider)) || code == 400;
  // xAI answers a bad key 400 as well (X-GEN): its message names the key.
  if (provider == "xai") return (code == 400 || code == 422) && MessageOf(e, provider).find("API key") == std::string::npos;
  return code == 400;
}

bool NonRetryable(int code) { return code == 400 || code == 401 || code == 402 || code == 403 || code == 422; }
bool Retryable(int code) { return code == 429 || code == 455 || code >= 500; }

int64_t Seq(const json& e) { return e["seq"].get<int64_t>(); }
int64_t Wall(const json& e) { return e["wall_ms"].get<int64_t>(); }

std::string Quote(std::string s) {
  if (s.size() > 80) s = s.substr(0, 80) + "...";
  return "\"" + s + "\"";
}

std::string HowItEnded(const ClientRun& run, const Timing& t) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", run.seconds);
  if (run.timed_out) return "was still running when the runner's timeout (" + std::to_string(static_cast<int>(t.timeout_s)) + " s) killed it";
  if (run.signal != 0) return "was killed by signal " + std::to_string(run.signal);
  return "exited " + std::to_string(run.exit_code) + " after " + seconds + " s";
}

long Facts::Printed(const std::string& url) const {
  return static_cast<long>(std::count(out_lines.begin(), out_lines.end(), url));
}

Facts GatherFacts(const Evidence& ev) {
  Facts f;
  for (const json& e : ev.journal) {
    if (e.value("kind", "") != "request") continue;
    if (IsCreate(e)) f.creates.push_back(e);
    if (IsQuery(e)) f.queries.push_back(e);
    if (IsDownload(e)) f.downloads.push_back(e);
  }
  f.state = ev.task.is_object() ? ev.task.value("state", "") : "";
  f.succeeded = f.state == "succeeded";
  f.terminal = f.succeeded || f.state == "failed";
  if (ev.task.is_object() && ev.task.contains("results") && ev.task["results"].is_array()) {
    for (const json& u : ev.task["results"]) {
      if (u.is_string()) f.results.push_back(u.get<std::string>());
    }
  }
  f.out_lines = Lines(ev.run->out);
  f.ended = HowItEnded(*ev.run, ev.timing);
  return f;
}

}  // namespace imagine::conform
