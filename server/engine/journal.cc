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

// Keeps the headers within `max` bytes (names and values together): a value that does not
// fit is cut like a body, and the headers after it are left out, with a note of how many.
void CutHeaders(std::vector<std::pair<std::string, std::string>>* headers, size_t max) {
  size_t total = 0;
  for (const auto& [k, v] : *headers) total += k.size() + v.size();
  if (total <= max) return;
  size_t used = 0, kept = 0;
  for (auto& [k, v] : *headers) {
    if (used + k.size() >= max) break;
    Cut(&v, max - used - k.size());
    used += k.size() + v.size();
    ++kept;
    if (used >= max) break;
  }
  const size_t left = headers->size() - kept;
  headers->resize(kept);
  if (left > 0) headers->emplace_back("…", "[" + std::to_string(left) + " more headers left out]");
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

void Journal::Append(const JournalEntryView& entry) {
  const bool to_file = writer_.joinable();
  if (!enabled() && !to_file) return;
  size_t header_bytes = 0;
  if (entry.request_headers != nullptr) {
    for (const auto& [k, v] : *entry.request_headers) header_bytes += k.size() + v.size();
  }
  const size_t max = options_.max_body_bytes;
  if (to_file || entry.request_body.size() > max || entry.response_body.size() > max || header_bytes > max) {
    Append(entry.ToEntry());  // a copy to cut, or to hand to the file writer
    return;
  }
  Packed packed = Pack(entry);  // built, and evictions freed, outside the lock
  std::vector<Packed> evicted;
  std::lock_guard<std::mutex> lock(mu_);
  InsertLocked(std::move(packed), &evicted);
}

void Journal::Append(JournalEntry entry) {
  const bool to_file = writer_.joinable();
  if (!enabled() && !to_file) return;
  Cut(&entry.request_body, options_.max_body_bytes);
  Cut(&entry.response_body, options_.max_body_bytes);
  CutHeaders(&entry.request_headers, options_.max_body_bytes);
  Packed packed = enabled() ? Pack(JournalEntryView::Of(entry)) : Packed{};  // built, and evictions freed, outside the lock
  std::vector<Packed> evicted;
  std::lock_guard<std::mutex> lock(mu_);
  if (!enabled()) {
    entry.seq = next_seq_++;
    pending_lines_.push_back(std::move(entry));  // to_file: queued in sequence order
    lines_cv_.notify_one();
    return;
  }
  entry.seq = next_seq_;  // the seq InsertLocked gives the packed entry
  if (to_file) {
    pending_lines_.push_back(std::move(entry));
    lines_cv_.notify_one();
  }
  InsertLocked(std::move(packed), &evicted);
}

void Journal::InsertLocked(Packed packed, std::vector<Packed>* evicted) {
  packed.seq = next_seq_++;
  while (!entries_.empty() && (entries_.size() >= options_.capacity || bytes_ + packed.bytes() > options_.max_bytes)) {
    bytes_ -= entries_.front().bytes();
    evicted->push_back(std::move(entries_.front()));
    entries_.pop_front();
    ++dropped_;
  }
  bytes_ += packed.bytes();
  entries_.push_back(std::move(packed));
}

std::vector<JournalEntry> Journal::Query(const JournalFilter& filter, uint64_t* next_cursor) const {
  std::vector<JournalEntry> out;
  std::lock_guard<std::mutex> lock(mu_);
  // A cursor from before a restart (past the newest entry) comes back as the newest seq.
  uint64_t cursor = std::min<uint64_t>(filter.since, next_seq_ - 1);
  for (const Packed& p : entries_) {
    if (out.size() >= filter.limit) break;
    if (!Matches(p, filter)) continue;
    out.push_back(Unpack(p));
    cursor = p.seq;
  }
  if (next_cursor != nullptr) *next_cursor = cursor;
  return out;
}

void Journal::Clear(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (key.empty()) {
    entries_.clear();
    bytes_ = 0;
    return;
  }
  std::deque<Packed> kept;
  bytes_ = 0;
  for (Packed& p : entries_) {
    if (p.Field(2) == key) continue;
    bytes_ += p.bytes();
    kept.push_back(std::move(p));
  }
  entries_.swap(kept);
}

uint64_t Journal::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

size_t Journal::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
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
