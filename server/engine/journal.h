// Journal: everything the emulator did, in order — every provider request with its
// response, every task state change, every callback attempt — correlated by request id
// and task id. A bounded ring buffer (the oldest entries are evicted and counted once
// there are `capacity` of them or they hold `max_bytes`, so a day-long run never grows
// memory) with an optional JSON-lines file sink that keeps all. Each held entry is one
// allocation: its numbers, then every string (headers included) packed in one block.
// Thread-safe: one mutex, held only to copy an entry in or out. The file sink is written
// by its own thread, in sequence order; request threads never do file I/O.
#ifndef IMAGINE_ENGINE_JOURNAL_H_
#define IMAGINE_ENGINE_JOURNAL_H_

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <thread>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imagine {

struct JournalEntry {
  enum class Kind : uint8_t { kRequest, kState, kCallback };

  uint64_t seq = 0;      // assigned by Append, increasing
  Kind kind = Kind::kRequest;
  int64_t at_ms = 0;     // emulated clock
  int64_t wall_ms = 0;   // real clock
  std::string request_id;
  std::string task_id;
  std::string key;       // the full API key (masked when rendered)
  std::string provider;  // "apikley" | "evolink" | "" (emulator routes)
  std::string operation;
  std::string method;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> request_headers;  // Authorization already masked
  std::string request_body;
  int status = 0;
  std::string content_type;
  std::string response_body;
  int64_t latency_us = 0;
  std::string scenario;
  std::string detail_json;  // state: {"state":..}; callback: the attempt as JSON
};

// An entry whose strings belong to the caller, for the per-request and per-state appends:
// the journal packs them straight into its block, with no JournalEntry copied in between.
// The views need only last during Append.
struct JournalEntryView {
  JournalEntry::Kind kind = JournalEntry::Kind::kRequest;
  int64_t at_ms = 0;
  int64_t wall_ms = 0;
  std::string_view request_id, task_id, key, provider, operation, method, path, query;
  const std::vector<std::pair<std::string, std::string>>* request_headers = nullptr;  // null: none
  std::string_view request_body;
  int status = 0;
  std::string_view content_type, response_body;
  int64_t latency_us = 0;
  std::string_view scenario, detail_json;

  static JournalEntryView Of(const JournalEntry& e);
  JournalEntry ToEntry() const;  // seq 0
};

struct JournalFilter {
  std::optional<JournalEntry::Kind> kind;
  std::string path;  // exact, or a prefix when it ends with '*'
  std::string key;
  std::string task_id;
  std::optional<int> status;
  uint64_t since = 0;  // entries with seq > since
  size_t limit = 100;
};

struct JournalOptions {
  size_t capacity = 10000;        // entries kept in memory; 0 disables the journal
  size_t max_bytes = 64u << 20;   // bytes held in memory at most; the oldest go first
  size_t max_body_bytes = 16384;  // request/response bodies, and all headers together, are cut to this
  std::string file;               // "" = no file sink; else every entry is appended as JSON lines
};

class Journal {
 public:
  explicit Journal(JournalOptions options);
  ~Journal();

  bool enabled() const { return options_.capacity > 0; }
  // Stores `entry` (bodies, and the headers together, cut to max_body_bytes), evicting
  // the oldest while the journal is over its capacity or its bytes.
  void Append(JournalEntry entry);
  // The same from views: packed from them directly when nothing is cut and there is no
  // file sink (the request path), else copied into a JournalEntry first.
  void Append(const JournalEntryView& entry);
  // Matching entries, oldest first, at most filter.limit; *next_cursor is the seq to
  // pass as `since` to continue (the last returned seq, or `since` when none).
  std::vector<JournalEntry> Query(const JournalFilter& filter, uint64_t* next_cursor) const;
  // Removes every entry (key empty) or those of one key.
  void Clear(std::string_view key = {});

  uint64_t dropped() const;
  size_t size() const;
  // Bytes the held entries take (their blocks and fixed parts).
  size_t bytes() const;
  size_t capacity() const { return options_.capacity; }

  // The entry as one JSON object (compact), as the admin API and the file sink show it.
  static std::string ToJson(const JournalEntry& entry);

 private:
  // One held entry: the fixed fields, and the strings in one block (packed_entry.cc).
  struct Packed {
    uint64_t seq = 0;
    int64_t at_ms = 0;
    int64_t wall_ms = 0;
    int64_t latency_us = 0;
    int32_t status = 0;
    JournalEntry::Kind kind = JournalEntry::Kind::kRequest;
    uint32_t size = 0;              // bytes of blob
    std::unique_ptr<char[]> blob;   // field offsets, then the strings
    std::string_view Field(int n) const;
    size_t bytes() const { return sizeof(Packed) + size; }
  };
  static Packed Pack(const JournalEntryView& e);
  // Inserts a packed entry with the next seq, evicting the oldest as needed. Requires mu_
  // held; the evicted entries go to *evicted, to be freed after the lock is released.
  void InsertLocked(Packed packed, std::vector<Packed>* evicted);
  static JournalEntry Unpack(const Packed& p);
  static bool Matches(const Packed& p, const JournalFilter& f);
  void WriteLoop();

  const JournalOptions options_;
  mutable std::mutex mu_;  // protects entries_, bytes_, next_seq_, dropped_, pending_lines_, stopping_
  std::deque<Packed> entries_;
  size_t bytes_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t dropped_ = 0;
  std::deque<JournalEntry> pending_lines_;  // for the file, in sequence order (rendered by the writer)
  bool stopping_ = false;
  std::condition_variable lines_cv_;  // pending_lines_ gained a line, or stopping_
  FILE* file_ = nullptr;              // written by writer_ only
  std::thread writer_;
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_JOURNAL_H_
