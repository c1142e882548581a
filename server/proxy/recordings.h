// Recordings: what proxy mode keeps of the upstream's answers, and how the emulator plays
// them back. The Recorder holds the last kCapacity upstream answers (the caller's key in
// memory only); Fixtures() writes them as a recordings document
//
//   {"format": "imagine-emu-recordings/1",
//    "answers": [{"key": "ci-key", "provider": "apikley", "operation": "getTaskDetail",
//                 "status": 200, "content_type": "application/json", "body": "<exact bytes>",
//                 "method": "GET", "path": "/api/v1/jobs/recordInfo", "recorded_at_ms": 1764...}]}
//
// (JSON, so also YAML; a body that is not UTF-8 is "body_hex" instead). The Replayer loads
// such a document (proxy.replay_file or POST /_emulator/recordings) and answers a request
// whose bearer key, provider and operation match with the recorded answers in order, the
// last one again once they run out — same status, same body bytes. Both thread-safe.
#ifndef IMAGINE_PROXY_RECORDINGS_H_
#define IMAGINE_PROXY_RECORDINGS_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/api.h"
#include "common/status.h"

namespace imagine {

struct RecordedAnswer {
  std::string key;  // the bearer key it was (or is to be) answered to
  std::string provider, operation, method, path;
  int status = 0;
  std::string content_type;
  std::string body;  // exact bytes
  int64_t recorded_at_ms = 0;
};

class Recorder {
 public:
  static constexpr size_t kCapacity = 1000;  // oldest answers are dropped beyond this

  void Add(RecordedAnswer answer);
  size_t size() const;
  // The recordings document of the answers given to `key` (every key when ""), oldest first,
  // only those of `provider` when not "", only error answers when `failures_only` (HTTP
  // status >= 400, or an Apikley-style body `code` other than 200). Each answer's key is
  // `replay_key` when not "", else the recorded key masked ("…abcd": set it before replaying).
  nlohmann::ordered_json Fixtures(const std::string& key, const std::string& provider, bool failures_only,
                                  const std::string& replay_key) const;

 private:
  mutable std::mutex mu_;  // protects answers_
  std::deque<RecordedAnswer> answers_;
};

class Replayer {
 public:
  // Replaces the loaded answers with those of `document` (a recordings document). On a
  // malformed document returns kInvalidArgument naming the answer and field, and keeps
  // what was loaded.
  Status Load(const nlohmann::json& document);
  // The next recorded answer for this key, provider and operation, or nullopt. Cheap when
  // nothing is loaded (one atomic load).
  std::optional<ApiResponse> Answer(const std::string& key, const std::string& provider, const std::string& operation);
  size_t size() const;

 private:
  struct Script {
    std::vector<RecordedAnswer> answers;
    size_t next = 0;
  };
  mutable std::mutex mu_;  // protects scripts_ and total_
  std::map<std::tuple<std::string, std::string, std::string>, Script> scripts_;  // key, provider, operation
  size_t total_ = 0;
  std::atomic<bool> loaded_{false};
};

// Reads a recordings document from a JSON or YAML file. kInvalidArgument naming the file.
StatusOr<nlohmann::json> ReadRecordingsFile(const std::string& path);

}  // namespace imagine

#endif  // IMAGINE_PROXY_RECORDINGS_H_
