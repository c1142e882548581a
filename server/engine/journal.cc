#include "engine/journal.h"

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/text.h"

namespace imagine {
namespace {

const char* KindName(JournalEntry::Kind k) {
  switch (k) {
    case JournalEntry::Kind::kRequest: return "request";
    case JournalEntry::Kind::kState: return "state";
    case JournalEntry::Kind::kCallback: return "callback";
  }
  return "request";
}

void Cut(std::string* body, size_t max) {
  if (body->size() <= max) return;
  const size_t total = body->size();
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>((*body)[cut]) & 0xC0) == 0x80) --cut;
  body->resize(cut);
  *body += "…[" + std::to_string(total - cut) + " more bytes]";
}

bool Matches(const JournalEntry& e, const JournalFilter& f) {
  if (e.seq <= f.since) return false;
  if (f.kind && e.kind != *f.kind) return false;
  if (!f.key.empty() && e.key != f.key) return false;
  if (!f.task_id.empty() && e.task_id != f.task_id) return false;
  if (f.status && e.status != *f.status) return false;
  if (!f.path.empty()) {
    if (f.path.back() == '*') {
      if (e.path.compare(0, f.path.size() - 1, f.path, 0, f.path.size() - 1) != 0) return false;
    } else if (e.path != f.path) {
      return false;
    }
  }
  return true;
}

}  // namespace

Journal::Journal(JournalOptions options) : options_(std::move(options)) {
  if (!options_.file.empty()) {
    file_ = std::fopen(options_.file.c_str(), "a");
    if (file_ == nullptr) {
      Log(LogLevel::kError, "journal: cannot open " + options_.file + " for appending");
    } else {
      writer_ = std::thread([this] { WriteLoop(); });
    }
  }
}

Journal::~Journal() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  lines_cv_.notify_all();
  if (writer_.joinable()) writer_.join();  // writes what is pending first
  if (file_ != nullptr) std::fclose(file_);
}

void Journal::WriteLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    lines_cv_.wait(lock, [this] { return stopping_ || !pending_lines_.empty(); });
    if (pending_lines_.empty()) return;  // stopping, nothing left
    std::deque<JournalEntry> batch;
    batch.swap(pending_lines_);
    lock.unlock();
    for (const JournalEntry& e : batch) {
      std::string line = ToJson(e) + "\n";
      std::fwrite(line.data(), 1, line.size(), file_);
    }
    std::fflush(file_);
    lock.lock();
  }
}

void Journal::Append(JournalEntry entry) {
  const bool to_file = writer_.joinable();
  if (!enabled() && !to_file) return;
  Cut(&entry.request_body, options_.max_body_bytes);
  Cut(&entry.response_body, options_.max_body_bytes);
  std::lock_guard<std::mutex> lock(mu_);
  entry.seq = next_seq_++;
  if (!enabled()) {
    pending_lines_.push_back(std::move(entry));  // to_file: queued in sequence order
    lines_cv_.notify_one();
    return;
  }
  if (to_file) {
    pending_lines_.push_back(entry);
    lines_cv_.notify_one();
  }
  if (entries_.size() >= options_.capacity) {
    entries_.pop_front();
    ++dropped_;
  }
  entries_.push_back(std::move(entry));
}

std::vector<JournalEntry> Journal::Query(const JournalFilter& filter, uint64_t* next_cursor) const {
  std::vector<JournalEntry> out;
  std::lock_guard<std::mutex> lock(mu_);
  // A cursor from before a restart (past the newest entry) comes back as the newest seq.
  uint64_t cursor = std::min<uint64_t>(filter.since, next_seq_ - 1);
  for (const JournalEntry& e : entries_) {
    if (out.size() >= filter.limit) break;
    if (!Matches(e, filter)) continue;
    out.push_back(e);
    cursor = e.seq;
  }
  if (next_cursor != nullptr) *next_cursor = cursor;
  return out;
}

void Journal::Clear(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (key.empty()) {
    entries_.clear();
    return;
  }
  std::deque<JournalEntry> kept;
  for (JournalEntry& e : entries_) {
    if (e.key != key) kept.push_back(std::move(e));
  }
  entries_.swap(kept);
}

uint64_t Journal::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

size_t Journal::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

std::string Journal::ToJson(const JournalEntry& e) {
  nlohmann::ordered_json j;
  j["seq"] = e.seq;
  j["kind"] = KindName(e.kind);
  j["at_ms"] = e.at_ms;
  j["wall_ms"] = e.wall_ms;
  if (!e.request_id.empty()) j["request_id"] = e.request_id;
  if (!e.task_id.empty()) j["task_id"] = e.task_id;
  if (!e.key.empty()) j["key"] = MaskSecret(e.key);
  if (!e.provider.empty()) j["provider"] = e.provider;
  if (e.kind == JournalEntry::Kind::kRequest) {
    j["operation"] = e.operation;
    j["method"] = e.method;
    j["path"] = e.path;
    j["query"] = e.query;
    nlohmann::ordered_json headers = nlohmann::ordered_json::object();
    for (const auto& [k, v] : e.request_headers) headers[k] = v;
    j["request_headers"] = std::move(headers);
    j["request_body"] = e.request_body;
    j["status"] = e.status;
    j["response_body"] = e.response_body;
    j["latency_us"] = e.latency_us;
    j["scenario"] = e.scenario;
  } else if (!e.detail_json.empty()) {
    nlohmann::json detail = nlohmann::json::parse(e.detail_json, nullptr, false);
    j[e.kind == JournalEntry::Kind::kState ? "state" : "callback"] = std::move(detail);
    if (e.kind == JournalEntry::Kind::kCallback) j["status"] = e.status;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace imagine
