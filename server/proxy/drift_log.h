// DriftLog: the drift findings of a proxy-mode run, deduplicated — one finding per route,
// direction, JSON pointer and rule, with what was expected, what was seen last (and up to
// five distinct values), when it was first and last seen and how often. Also counts the
// exchanges checked per route and direction (the JUnit report's test cases) and the
// upstream failures. GET /_emulator/drift, the metrics and --drift-report read it.
// Thread-safe: one mutex, held for a map update or a copy.
#ifndef IMAGINE_PROXY_DRIFT_LOG_H_
#define IMAGINE_PROXY_DRIFT_LOG_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "proxy/drift_check.h"

namespace imagine {

// Which side of an exchange a finding is about.
enum class DriftDirection {
  kRequest,   // the client's request (forwarded anyway)
  kResponse,  // the upstream's answer
  kCallback,  // the provider's callback (proxy.capture_callbacks)
};
const char* DriftDirectionName(DriftDirection d);  // "request", "response", "callback"

struct DriftFinding {
  std::string provider;   // "apikley", "evolink"
  std::string operation;  // operationId, e.g. "getTaskDetail"
  std::string route;      // "GET /api/v1/jobs/recordInfo"
  DriftDirection direction = DriftDirection::kResponse;
  std::string pointer, rule, expected;
  std::string seen;                      // the latest value seen
  std::vector<std::string> seen_values;  // distinct values seen, at most 5, oldest first
  int64_t first_seen_ms = 0, last_seen_ms = 0;  // on the emulator's clock
  uint64_t count = 0;
};

// One checked exchange side: who, and what the check found (maybe nothing).
struct DriftCheck {
  std::string provider, operation, route;
  DriftDirection direction = DriftDirection::kResponse;
};

class DriftLog {
 public:
  // Counts one checked exchange side and merges its observations into the findings.
  void Record(const DriftCheck& check, const std::vector<DriftObservation>& observations, int64_t now_ms);
  void CountUpstreamError(const std::string& provider);

  // Findings ordered by provider, route, direction, pointer, rule.
  std::vector<DriftFinding> Findings() const;
  // Checked exchange sides by (provider, operation, route, direction).
  std::map<std::tuple<std::string, std::string, std::string, DriftDirection>, uint64_t> Checked() const;
  std::map<std::string, uint64_t> UpstreamErrors() const;

  // {"findings": [...], "checked": [...], "upstream_errors": {...}} (GET /_emulator/drift).
  nlohmann::ordered_json ToJson() const;
  // A JUnit XML report: one test case per checked route and direction, failed when it has
  // findings (each listed in the failure text).
  std::string ToJUnit() const;
  // Writes ToJson() to `path` and ToJUnit() to `path` + ".xml". kInternal naming the file
  // that cannot be written.
  Status WriteReport(const std::string& path) const;

 private:
  using Key = std::tuple<std::string, std::string, DriftDirection, std::string, std::string>;  // provider, route, dir, pointer, rule
  mutable std::mutex mu_;  // protects everything below
  std::map<Key, DriftFinding> findings_;
  std::map<std::tuple<std::string, std::string, std::string, DriftDirection>, uint64_t> checked_;
  std::map<std::string, uint64_t> upstream_errors_;
};

}  // namespace imagine

#endif  // IMAGINE_PROXY_DRIFT_LOG_H_
