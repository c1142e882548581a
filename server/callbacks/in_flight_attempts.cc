#include "callbacks/in_flight_attempts.h"

#include <utility>

namespace imagine {

InFlightAttempts::Id InFlightAttempts::Begin(InFlightAttempt attempt) {
  const auto started = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  const Id id = next_id_++;
  entries_.emplace(id, Entry{std::move(attempt), started});
  return id;
}

void InFlightAttempts::End(Id id) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(id);
}

std::vector<InFlightAttempt> InFlightAttempts::List(std::string_view task_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  std::vector<InFlightAttempt> out;
  for (const auto& [id, entry] : entries_) {
    if (!task_id.empty() && entry.attempt.task_id != task_id) continue;
    out.push_back(entry.attempt);
    out.back().elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(now - entry.started).count();
  }
  return out;
}

}  // namespace imagine
