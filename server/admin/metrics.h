// Metrics: counters and a latency histogram in Prometheus text format (version 0.0.4) for
// GET /_emulator/metrics — requests by provider/route/status, request latency, callback
// attempts by outcome. What other components already count (task states entered, tasks
// by current state, journal drops, queue sizes) is passed in at render time.
// Thread-safe: one mutex around the maps, held for a map update only.
#ifndef IMAGINE_ADMIN_METRICS_H_
#define IMAGINE_ADMIN_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace imagine {

class Metrics {
 public:
  // Upper bounds of the latency histogram buckets, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                       0.01,   0.025,   0.05,   0.1,   0.5,    1.0};

  void ObserveRequest(std::string_view provider, std::string_view route, int status, int64_t latency_us);
  void ObserveCallback(std::string_view provider, std::string_view outcome);

  // A metric counted elsewhere, rendered as given.
  struct Family {
    std::string name;  // e.g. "imagine_tasks"
    std::string help;
    std::string type;  // "gauge" or "counter"
    std::vector<std::pair<std::string, double>> samples;  // label set ("" or `state="queuing"`) -> value
  };
  // The exposition text: every counter and histogram of this object, then `families`.
  std::string Render(const std::vector<Family>& families) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};  // non-cumulative counts per bucket
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;  // protects every map below
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // provider, route, status
  std::map<std::string, Histogram> latency_;                                // by provider
  std::map<std::pair<std::string, std::string>, uint64_t> callbacks_;       // provider, outcome
};

// Escapes a Prometheus label value (backslash, double quote, newline).
std::string PromLabel(std::string_view value);

}  // namespace imagine

#endif  // IMAGINE_ADMIN_METRICS_H_
