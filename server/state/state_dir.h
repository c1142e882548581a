// StateDir: the emulator's state on disk (--state-dir DIR, config `state:`), so that a
// restart or a kill -9 loses nothing that was answered. The directory holds
//   snapshot.jsonl   the whole state at one moment (Engine::WriteStateSnapshot), framed by a
//                    header naming its generation G and an end line counting its records;
//   log-G.jsonl      every change since that snapshot, one record per line, appended before
//                    the change is answered (Engine's StateLog);
//   LOCK             held (flock), with the directory itself, while an emulator uses it
//                    (removing LOCK does not let a second one in).
// Open restores an engine from the snapshot and its log, then writes a fresh snapshot and
// starts an empty log; when there is no room for the snapshot it serves on, appending to the
// log it replayed, and compacts later. While serving, a log grown past `compact_bytes` (and
// past the last snapshot's size) is compacted into a new snapshot by a background thread,
// with the engine's changes paused meanwhile; a failed compaction is retried every second.
// A record that cannot be written is refused (Append), and the directory is degraded
// (StateInfo, logged once per episode) until a write succeeds again. `fsync` chooses what survives a power loss: always
// (each answered change is synced before its answer), batch (synced every 100 ms), off
// (left to the OS). Any policy survives kill -9: a record is written before its answer.
// Thread-safe.
#ifndef IMAGINE_STATE_STATE_DIR_H_
#define IMAGINE_STATE_STATE_DIR_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/status.h"
#include "engine/engine.h"
#include "engine/state_log.h"

namespace imagine {

enum class FsyncPolicy { kAlways, kBatch, kOff };
const char* FsyncPolicyName(FsyncPolicy p);
// "always", "batch" or "off"; false for anything else.
bool ParseFsyncPolicy(std::string_view name, FsyncPolicy* out);

struct StateOptions {
  std::string dir;  // "" = no state directory
  FsyncPolicy fsync = FsyncPolicy::kBatch;
  uint64_t compact_bytes = 64ull << 20;  // log size that starts a compaction
  // Test-only (env IMAGINE_STATE_FAULT_FILE_FOR_TEST): while a file exists at this path, every
  // write to the state directory fails with ENOSPC, as on a full disk. "" = never.
  std::string fault_file_for_test;
};

// What a state directory did, for /_emulator/health.
struct StateInfo {
  std::string dir;
  FsyncPolicy fsync = FsyncPolicy::kBatch;
  uint64_t restored_records = 0;  // records read back at start-up (snapshot + log)
  uint64_t restored_tasks = 0;    // tasks stored right after restoring
  bool torn_tail = false;         // the log's last record was cut short (ignored)
  uint64_t generation = 0;        // of the snapshot in use
  uint64_t log_bytes = 0;
  uint64_t snapshots = 0;         // snapshots written since start (the start-up one included)
  uint64_t write_errors = 0;      // records that could not be written
  std::string write_error;        // why the last append failed; "" once one succeeds
  std::string compaction_error;   // why the last snapshot failed (retried); "" once one is written
  bool degraded() const { return !write_error.empty() || !compaction_error.empty(); }
};

class StateDir final : public StateLog {
 public:
  // Creates `options.dir` if needed, takes its lock (kUnavailable when another process holds
  // it), restores `engine` (kInvalidArgument naming file:line for a record that does not
  // read; only a log's last line without its newline is a torn write, ignored), writes a
  // fresh snapshot and opens a new log, or, when the snapshot cannot be written, reopens the
  // replayed log and leaves the snapshot to the background thread. `engine` must outlive the
  // StateDir and must not be serving yet; attach the result with engine->SetStateLog afterwards.
  static StatusOr<std::unique_ptr<StateDir>> Open(const StateOptions& options, Engine* engine);
  ~StateDir() override;  // stops the background thread and syncs (unless fsync: off)

  StatusOr<uint64_t> Append(const std::string& record) override;
  void Sync(uint64_t position) override;

  StateInfo info() const;

 private:
  struct LogFile;
  StateDir(StateOptions options, Engine* engine);
  Status Restore();
  // Reads one file of records into the engine; a torn last line is allowed in a log only.
  Status ReplayFile(const std::string& path, bool is_log, uint64_t* records);
  // Writes snapshot generation_+1 and switches to its (new, empty) log. Pauses the engine.
  Status Compact();
  // Compact, noting a failure (and the recovery after one) in info_ and the log once.
  bool CompactAndNote();
  // Serves on from the log just replayed (a torn tail cut off): for a start without room.
  Status ReopenReplayedLog();
  void RunBackground();
  std::string PathOf(const std::string& name) const;
  // WriteAll, failing with ENOSPC while the test-only fault file exists.
  bool Write(int fd, const char* data, size_t size) const;
  // Takes the directory's flock and LOCK's; kUnavailable when either is held.
  Status Lock();

  const StateOptions options_;
  Engine* const engine_;
  int lock_fd_ = -1;      // LOCK, flocked (what older versions lock)
  int dir_lock_fd_ = -1;  // the directory itself, flocked: cannot be unlinked from under us
  uint64_t replayed_log_bytes_ = 0;  // the replayed log's complete lines, in bytes

  mutable std::mutex mu_;  // protects log_, log_bytes_, written_, generation_, info_, write_errors_before_episode_
  std::shared_ptr<LogFile> log_;
  uint64_t log_bytes_ = 0;         // bytes in the current log
  uint64_t written_ = 0;           // bytes appended since start, every log counted (positions)
  uint64_t generation_ = 0;
  uint64_t snapshot_bytes_ = 0;    // size of the last snapshot written
  StateInfo info_;
  uint64_t write_errors_before_episode_ = 0;  // info_.write_errors when the current failing began

  std::mutex sync_mu_;             // serializes syncs; protects synced_
  uint64_t synced_ = 0;            // positions up to this survive a power loss

  std::mutex wake_mu_;             // protects stopping_, compact_wanted_
  std::condition_variable wake_;
  bool stopping_ = false;
  bool compact_wanted_ = false;
  std::thread background_;
};

}  // namespace imagine

#endif  // IMAGINE_STATE_STATE_DIR_H_
