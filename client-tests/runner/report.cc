#include "runner/report.h"

#include <fstream>
#include <sstream>

namespace imagine::conform {
namespace {

using json = nlohmann::json;

constexpr size_t kTailLines = 8;        // of stderr and of stdout, on a failure
constexpr size_t kLineWidth = 200;      // characters of one output line in the table
constexpr size_t kBodyWidth = 240;      // characters of a request or response body with --verbose
constexpr size_t kJunitOutput = 65536;  // bytes of stdout / stderr in the JUnit file (the end is kept)

std::string Cut(std::string s, size_t width) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (s.size() > width) s = s.substr(0, width) + "...";
  return s;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Text as XML 1.0 character data: markup escaped, characters XML cannot hold (control
// characters, bytes that are not UTF-8) replaced by '?'.
std::string XmlText(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = len > 0 && i + len <= s.size();
    for (size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    if (!valid) {
      out += '?';
      ++i;
      continue;
    }
    if (len > 1) {
      out.append(s, i, len);
    } else if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '"') {
      out += "&quot;";
    } else if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
      out += '?';
    } else {
      out += static_cast<char>(c);
    }
    i += len;
  }
  return out;
}

std::string LastBytes(const std::string& s, size_t n) {
  return s.size() <= n ? s : "[... " + std::to_string(s.size() - n) + " bytes before]\n" + s.substr(s.size() - n);
}

// --verbose: every request the client sent, with its answer, and every callback attempt.
std::string RequestLog(const ScenarioResult& r) {
  std::ostringstream out;
  int64_t first = -1;
  out << "    requests (key " << r.key << "):\n";
  size_t n = 0;
  for (const json& e : r.journal) {
    if (e.value("kind", "") != "request") continue;
    const int64_t wall = e.value("wall_ms", int64_t{0});
    if (first < 0) first = wall;
    const std::string query = e.value("query", "");
    char at[32];
    std::snprintf(at, sizeof at, "+%.3fs", (wall - first) / 1000.0);
    out << "      " << at << " > " << e.value("method", "") << " " << e.value("path", "") << (query.empty() ? "" : "?" + query);
    const std::string body = e.value("request_body", "");
    if (!body.empty()) out << " " << Cut(body, kBodyWidth);
    out << "\n               < " << e.value("status", 0) << " " << Cut(e.value("response_body", ""), kBodyWidth) << "\n";
    ++n;
  }
  if (n == 0) out << "      (none)\n";
  for (const json& a : r.callbacks) {
    const int status = a.value("status", 0);
    out << "      callback attempt " << a.value("attempt", 0) << " to " << a.value("url", "") << " -> "
        << (status == 0 ? a.value("error", std::string("no answer")) : "HTTP " + std::to_string(status)) << "\n";
  }
  return out.str();
}

}  // namespace

void Score::Add(const std::vector<CheckResult>& checks) {
  for (const CheckResult& c : checks) {
    passed += c.outcome == Outcome::kPass;
    failed += c.outcome == Outcome::kFail;
    skipped += c.outcome == Outcome::kSkip;
  }
}

std::string Score::ToString() const {
  return std::to_string(passed) + " passed, " + std::to_string(failed) + " failed, " + std::to_string(skipped) + " skipped";
}

std::string Tail(const std::string& label, const std::string& text, size_t max_lines) {
  if (text.empty()) return "";
  std::vector<std::string> lines = SplitLines(text);
  const size_t from = lines.size() > max_lines ? lines.size() - max_lines : 0;
  std::ostringstream out;
  out << "    " << label;
  if (from > 0) out << " (last " << max_lines << " of " << lines.size() << " lines)";
  out << ":\n";
  for (size_t i = from; i < lines.size(); ++i) out << "      | " << Cut(lines[i], kLineWidth) << "\n";
  return out.str();
}

std::string FormatScenario(const ScenarioResult& r, bool quiet, bool verbose) {
  std::ostringstream out;
  char head[200];
  const std::string ended = r.run.timed_out ? "killed (timeout)"
                            : r.run.signal ? "signal " + std::to_string(r.run.signal)
                                           : "exit " + std::to_string(r.run.exit_code);
  std::snprintf(head, sizeof head, "%-8s %-27s %-16s %5.1fs\n", r.spec.provider.c_str(), r.spec.scenario->name.c_str(),
                ended.c_str(), r.run.seconds);
  out << head;
  bool failed = false;
  for (const CheckResult& c : r.checks) {
    failed |= c.outcome == Outcome::kFail;
    if (c.outcome == Outcome::kSkip && quiet) continue;
    char line[64];
    std::snprintf(line, sizeof line, "    %-4s %-27s ", OutcomeName(c.outcome), c.name.c_str());
    out << line << c.reason << "\n";
  }
  if (failed || verbose) {
    const size_t lines = verbose ? SIZE_MAX : kTailLines;
    std::string err = Tail("stderr", r.run.err, lines), so = Tail("stdout", r.run.out, lines);
    out << err << so;
    if (err.empty() && so.empty()) out << "    (the client printed nothing)\n";
  }
  if (verbose) out << RequestLog(r);
  return out.str();
}

bool WriteJunit(const std::string& path, const std::string& client, const std::vector<ScenarioResult>& results,
                std::string* error) {
  std::ostringstream suites;
  Score all;
  for (const ScenarioResult& r : results) {
    Score s;
    s.Add(r.checks);
    all.Add(r.checks);
    const std::string name = r.spec.provider + "." + r.spec.scenario->name;
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f", r.run.seconds);
    suites << "  <testsuite name=\"" << XmlText(name) << "\" tests=\"" << r.checks.size() << "\" failures=\"" << s.failed
           << "\" errors=\"0\" skipped=\"" << s.skipped << "\" time=\"" << seconds << "\">\n"
           << "    <properties>\n"
           << "      <property name=\"client\" value=\"" << XmlText(client) << "\"/>\n"
           << "      <property name=\"exit_code\" value=\"" << r.run.exit_code << "\"/>\n"
           << "      <property name=\"timed_out\" value=\"" << (r.run.timed_out ? "true" : "false") << "\"/>\n"
           << "      <property name=\"api_key\" value=\"" << XmlText(r.key) << "\"/>\n"
           << "    </properties>\n";
    for (const CheckResult& c : r.checks) {
      suites << "    <testcase classname=\"" << XmlText(name) << "\" name=\"" << XmlText(c.name) << "\" time=\"" << seconds << "\">";
      if (c.outcome == Outcome::kFail) suites << "<failure message=\"" << XmlText(c.reason) << "\"/>";
      if (c.outcome == Outcome::kSkip) suites << "<skipped message=\"" << XmlText(c.reason) << "\"/>";
      suites << "</testcase>\n";
    }
    suites << "    <system-out>" << XmlText(LastBytes(r.run.out, kJunitOutput)) << "</system-out>\n"
           << "    <system-err>" << XmlText(LastBytes(r.run.err, kJunitOutput)) << "</system-err>\n"
           << "  </testsuite>\n";
  }
  std::ofstream out(path, std::ios::trunc);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"imagine-conform\" tests=\""
      << all.passed + all.failed + all.skipped << "\" failures=\"" << all.failed << "\" skipped=\"" << all.skipped << "\">\n"
      << suites.str() << "</testsuites>\n";
  out.close();
  if (!out) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace imagine::conform
