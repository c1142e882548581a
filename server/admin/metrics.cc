#include "admin/metrics.h"

#include <cstdio>

namespace imagine {
namespace {

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

std::string PromLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Metrics::ObserveRequest(std::string_view provider, std::string_view route, int status, int64_t latency_us) {
  const double seconds = static_cast<double>(latency_us) / 1e6;
  size_t bucket = kBuckets.size();
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      bucket = i;
      break;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{std::string(provider), std::string(route), status}];
  Histogram& h = latency_[std::string(provider)];
  if (bucket < kBuckets.size()) ++h.buckets[bucket];
  ++h.count;
  h.sum += seconds;
}

void Metrics::ObserveCallback(std::string_view provider, std::string_view outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  ++callbacks_[{std::string(provider), std::string(outcome)}];
}

std::string Metrics::Render(const std::vector<Family>& families) const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  out += "# HELP imagine_requests_total HTTP requests served, by provider, route and status.\n";
  out += "# TYPE imagine_requests_total counter\n";
  for (const auto& [k, n] : requests_) {
    out += "imagine_requests_total{provider=\"" + PromLabel(std::get<0>(k)) + "\",route=\"" + PromLabel(std::get<1>(k)) +
           "\",status=\"" + std::to_string(std::get<2>(k)) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP imagine_request_duration_seconds Time to serve a request, by provider.\n";
  out += "# TYPE imagine_request_duration_seconds histogram\n";
  for (const auto& [provider, h] : latency_) {
    const std::string label = "provider=\"" + PromLabel(provider) + "\"";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      out += "imagine_request_duration_seconds_bucket{" + label + ",le=\"" + Number(kBuckets[i]) + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    out += "imagine_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += "imagine_request_duration_seconds_sum{" + label + "} " + Number(h.sum) + "\n";
    out += "imagine_request_duration_seconds_count{" + label + "} " + std::to_string(h.count) + "\n";
  }
  out += "# HELP imagine_callback_attempts_total Callback delivery attempts, by provider and outcome.\n";
  out += "# TYPE imagine_callback_attempts_total counter\n";
  for (const auto& [k, n] : callbacks_) {
    out += "imagine_callback_attempts_total{provider=\"" + PromLabel(k.first) + "\",outcome=\"" + PromLabel(k.second) +
           "\"} " + std::to_string(n) + "\n";
  }
  for (const Family& g : families) {
    out += "# HELP " + g.name + " " + g.help + "\n# TYPE " + g.name + " " + g.type + "\n";
    for (const auto& [labels, v] : g.samples) {
      out += g.name + (labels.empty() ? "" : "{" + labels + "}") + " " + Number(v) + "\n";
    }
  }
  return out;
}

}  // namespace imagine
