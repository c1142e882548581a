#include "proxy/drift_log.h"

#include <algorithm>
#include <fstream>

namespace imagine {
namespace {

std::string XmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';  // XML 1.0 has no other control characters
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string Describe(const DriftFinding& f) {
  return std::string(DriftDirectionName(f.direction)) + " " + (f.pointer.empty() ? "(body)" : f.pointer) + " [" +
         f.rule + "]: expected " + f.expected + ", seen " + f.seen + " (" + std::to_string(f.count) + "x)";
}

}  // namespace

const char* DriftDirectionName(DriftDirection d) {
  switch (d) {
    case DriftDirection::kRequest: return "request";
    case DriftDirection::kCallback: return "callback";
    default: return "response";
  }
}

void DriftLog::Record(const DriftCheck& check, const std::vector<DriftObservation>& observations, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  ++checked_[{check.provider, check.operation, check.route, check.direction}];
  for (const DriftObservation& o : observations) {
    DriftFinding& f = findings_[Key{check.provider, check.route, check.direction, o.pointer, o.rule}];
    if (f.count == 0) {
      f.provider = check.provider;
      f.operation = check.operation;
      f.route = check.route;
      f.direction = check.direction;
      f.pointer = o.pointer;
      f.rule = o.rule;
      f.first_seen_ms = now_ms;
    }
    f.expected = o.expected;
    f.seen = o.seen;
    if (f.seen_values.size() < 5 && std::find(f.seen_values.begin(), f.seen_values.end(), o.seen) == f.seen_values.end()) {
      f.seen_values.push_back(o.seen);
    }
    f.last_seen_ms = now_ms;
    ++f.count;
  }
}

void DriftLog::CountUpstreamError(const std::string& provider) {
  std::lock_guard<std::mutex> lock(mu_);
  ++upstream_errors_[provider];
}

std::vector<DriftFinding> DriftLog::Findings() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<DriftFinding> out;
  out.reserve(findings_.size());
  for (const auto& [key, f] : findings_) out.push_back(f);
  return out;
}

std::map<std::tuple<std::string, std::string, std::string, DriftDirection>, uint64_t> DriftLog::Checked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return checked_;
}

std::map<std::string, uint64_t> DriftLog::UpstreamErrors() const {
  std::lock_guard<std::mutex> lock(mu_);
  return upstream_errors_;
}

nlohmann::ordered_json DriftLog::ToJson() const {
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const DriftFinding& f : Findings()) {
    nlohmann::ordered_json j;
    j["provider"] = f.provider;
    j["operation"] = f.operation;
    j["route"] = f.route;
    j["direction"] = DriftDirectionName(f.direction);
    j["pointer"] = f.pointer;
    j["rule"] = f.rule;
    j["expected"] = f.expected;
    j["seen"] = f.seen;
    j["seen_values"] = f.seen_values;
    j["first_seen_ms"] = f.first_seen_ms;
    j["last_seen_ms"] = f.last_seen_ms;
    j["count"] = f.count;
    findings.push_back(std::move(j));
  }
  nlohmann::ordered_json checked = nlohmann::ordered_json::array();
  for (const auto& [key, n] : Checked()) {
    const auto& [provider, operation, route, direction] = key;
    checked.push_back({{"provider", provider},
                       {"operation", operation},
                       {"route", route},
                       {"direction", DriftDirectionName(direction)},
                       {"count", n}});
  }
  nlohmann::ordered_json errors = nlohmann::ordered_json::object();
  for (const auto& [provider, n] : UpstreamErrors()) errors[provider] = n;
  nlohmann::ordered_json out;
  out["findings"] = std::move(findings);
  out["checked"] = std::move(checked);
  out["upstream_errors"] = std::move(errors);
  return out;
}

std::string DriftLog::ToJUnit() const {
  const std::vector<DriftFinding> findings = Findings();
  const auto checked = Checked();
  size_t failures = 0;
  std::string cases;
  for (const auto& [key, n] : checked) {
    const auto& [provider, operation, route, direction] = key;
    std::string text;
    size_t found = 0;
    for (const DriftFinding& f : findings) {
      if (f.provider != provider || f.route != route || f.direction != direction) continue;
      text += Describe(f) + "\n";
      ++found;
    }
    cases += "  <testcase classname=\"" + XmlEscape(provider + "." + operation) + "\" name=\"" +
             XmlEscape(route + " " + DriftDirectionName(direction)) + "\">\n";
    if (found > 0) {
      ++failures;
      cases += "    <failure message=\"" + std::to_string(found) + " drift finding(s) in " + std::to_string(n) +
               " exchange(s)\" type=\"drift\">" + XmlEscape(text) + "</failure>\n";
    }
    cases += "  </testcase>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"imagine-emu drift\" tests=\"" +
         std::to_string(checked.size()) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\">\n" + cases +
         "</testsuite>\n";
}

Status DriftLog::WriteReport(const std::string& path) const {
  for (const auto& [file, text] : {std::pair<std::string, std::string>{path, ToJson().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"},
                                   std::pair<std::string, std::string>{path + ".xml", ToJUnit()}}) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return Internal("cannot write the drift report " + file);
  }
  return Status::Ok();
}

}  // namespace imagine
