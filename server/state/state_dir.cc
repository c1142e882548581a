#include "state/state_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "common/log.h"
#include "engine/state_record_schema.h"
#include "engine/state_records.h"

namespace imagine {
namespace {

constexpr const char* kSnapshot = "snapshot.jsonl";
constexpr const char* kSnapshotTmp = "snapshot.jsonl.tmp";
constexpr const char* kFormat = "imagine-emu-state";

std::string ErrnoText() { return std::strerror(errno); }

std::string LogName(uint64_t generation) { return "log-" + std::to_string(generation) + ".jsonl"; }

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Makes a rename or a new file in `dir` survive a power loss.
void SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

const char* FsyncPolicyName(FsyncPolicy p) {
  switch (p) {
    case FsyncPolicy::kAlways: return "always";
    case FsyncPolicy::kBatch: return "batch";
    case FsyncPolicy::kOff: return "off";
  }
  return "batch";
}

bool ParseFsyncPolicy(std::string_view name, FsyncPolicy* out) {
  for (FsyncPolicy p : {FsyncPolicy::kAlways, FsyncPolicy::kBatch, FsyncPolicy::kOff}) {
    if (name == FsyncPolicyName(p)) {
      *out = p;
      return true;
    }
  }
  return false;
}

// One open log file; closed when the last user (an Append or a Sync in progress) lets go.
struct StateDir::LogFile {
  int fd = -1;
  ~LogFile() {
    if (fd >= 0) ::close(fd);
  }
};

StateDir::StateDir(StateOptions options, Engine* engine) : options_(std::move(options)), engine_(engine) {
  info_.dir = options_.dir;
  info_.fsync = options_.fsync;
}

StateDir::~StateDir() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (background_.joinable()) background_.join();
  std::shared_ptr<LogFile> log;
  {
    std::lock_guard<std::mutex> lock(mu_);
    log = log_;
  }
  if (log && options_.fsync != FsyncPolicy::kOff) ::fdatasync(log->fd);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flocks
  if (dir_lock_fd_ >= 0) ::close(dir_lock_fd_);
}

bool StateDir::Write(int fd, const char* data, size_t size) const {
  if (!options_.fault_file_for_test.empty() && ::access(options_.fault_file_for_test.c_str(), F_OK) == 0) {
    errno = ENOSPC;
    return false;
  }
  return WriteAll(fd, data, size);
}

Status StateDir::Lock() {
  const std::string& dir = options_.dir;
  const Status in_use(Code::kUnavailable, "state.dir: " + dir + " is in use by another imagine-emu (it holds the directory's lock)");
  // The directory itself: its LOCK file can be removed while we run, the directory cannot be
  // swapped from under an open descriptor.
  dir_lock_fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_lock_fd_ < 0) return InvalidArgument("state.dir: cannot open " + dir + ": " + ErrnoText());
  if (::flock(dir_lock_fd_, LOCK_EX | LOCK_NB) != 0) return in_use;
  // LOCK too: the one an emulator of an earlier version takes.
  lock_fd_ = ::open(PathOf("LOCK").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return InvalidArgument("state.dir: cannot write in " + dir + ": " + ErrnoText());
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) return in_use;
  return Status::Ok();
}

std::string StateDir::PathOf(const std::string& name) const { return options_.dir + "/" + name; }

StatusOr<std::unique_ptr<StateDir>> StateDir::Open(const StateOptions& options, Engine* engine) {
  std::unique_ptr<StateDir> state(new StateDir(options, engine));
  const std::string& dir = options.dir;
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return InvalidArgument("state.dir: cannot create " + dir + ": " + ErrnoText());
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return InvalidArgument("state.dir: " + dir + " is not a directory");
  }
  IMAGINE_RETURN_IF_ERROR(state->Lock());
  IMAGINE_RETURN_IF_ERROR(state->Restore());
  // A state that reads is served even without room for a new snapshot (after a full disk):
  // the replayed log takes the changes, the background thread writes the snapshot later.
  if (!state->CompactAndNote()) {
    Status reopened = state->ReopenReplayedLog();
    if (!reopened.ok()) return Internal(state->info_.compaction_error + "; " + reopened.message());
    state->compact_wanted_ = true;
  }
  state->background_ = std::thread([s = state.get()] { s->RunBackground(); });
  return state;
}

Status StateDir::ReplayFile(const std::string& path, bool is_log, uint64_t* records) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Ok();  // absent: nothing since the snapshot
  std::string line;
  std::string next;
  size_t number = 0;
  bool has_line = static_cast<bool>(std::getline(in, line));
  bool ended = false;
  while (has_line) {
    ++number;
    const bool complete = !in.eof();  // getline stopped at a '\n'
    const bool has_next = static_cast<bool>(std::getline(in, next));
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (!complete && is_log) {  // no newline: cut short by a kill, so never answered
      info_.torn_tail = true;
      Log(LogLevel::kWarn, "state: " + where + "the last record is incomplete; ignored (its change was not answered)");
      break;
    }
    // A complete line that does not read is damage wherever it is: a kill cannot write a
    // newline after a record it cut short.
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (!complete || record.is_discarded()) {
      return InvalidArgument("state: " + where + "not a JSON record" + (is_log ? "" : " (the snapshot is damaged)"));
    }
    if (is_log) replayed_log_bytes_ += line.size() + 1;
    const auto t = record.is_object() ? record.find("t") : record.end();
    const std::string kind = record.is_object() && t != record.end() && t->is_string() ? t->get<std::string>() : "";
    if (kind == "snapshot") {
      if (is_log || number != 1) return InvalidArgument("state: " + where + "a snapshot header out of place");
      Status header = CheckStateRecord(kind, record);
      if (!header.ok()) return InvalidArgument("state: " + where + header.message());
      try {
        const int version = StateInteger<int>(record.at("version"));
        if (record.value("format", "") != kFormat || version < 1 || version > kStateFormatVersion) {
          throw std::invalid_argument("format");
        }
        generation_ = StateInteger<uint64_t>(record.at("generation"));
      } catch (const std::exception&) {
        return InvalidArgument("state: " + where + "not an imagine-emu state of format version 1 to " +
                               std::to_string(kStateFormatVersion));
      }
    } else if (kind == "end") {
      if (is_log) return InvalidArgument("state: " + where + "an end line in a log");
      Status end = CheckStateRecord(kind, record);
      if (!end.ok()) return InvalidArgument("state: " + where + end.message());
      ended = true;
    } else {
      if (!is_log && number == 1) return InvalidArgument("state: " + where + "the snapshot has no header");
      Status applied = engine_->ApplyStateRecord(record);
      if (!applied.ok()) return InvalidArgument("state: " + where + applied.message());
      ++*records;
    }
    line.swap(next);
    has_line = has_next;
  }
  if (!is_log && !ended) return InvalidArgument("state: " + path + ": the snapshot has no end line (it is incomplete)");
  return Status::Ok();
}

Status StateDir::Restore() {
  ::unlink(PathOf(kSnapshotTmp).c_str());  // a compaction that did not finish
  uint64_t records = 0;
  IMAGINE_RETURN_IF_ERROR(ReplayFile(PathOf(kSnapshot), /*is_log=*/false, &records));
  IMAGINE_RETURN_IF_ERROR(ReplayFile(PathOf(LogName(generation_)), /*is_log=*/true, &records));
  info_.restored_records = records;
  info_.restored_tasks = engine_->task_count();
  if (records > 0) {
    Log(LogLevel::kInfo, "state: restored " + std::to_string(info_.restored_tasks) + " tasks (" + std::to_string(records) +
            " records) from " + options_.dir);
  }
  return Status::Ok();
}

Status StateDir::Compact() {
  const uint64_t next = generation_ + 1;
  const std::string tmp = PathOf(kSnapshotTmp);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Internal("state: cannot write " + tmp + ": " + ErrnoText());
  std::string buffer;
  uint64_t bytes = 0, count = 0;
  bool failed = false;
  auto put = [&](const std::string& record) -> Status {
    buffer += record;
    buffer += '\n';
    ++count;
    if (buffer.size() >= (1u << 20) && !failed) {
      if (!Write(fd, buffer.data(), buffer.size())) failed = true;
      bytes += buffer.size();
      buffer.clear();
    }
    return failed ? Internal("state: cannot write " + tmp + ": " + ErrnoText()) : Status::Ok();
  };
  nlohmann::json header = {{"t", "snapshot"}, {"format", kFormat}, {"version", kStateFormatVersion},
                           {"generation", next}, {"written_wall_ms", WallNowMs()}};
  std::shared_ptr<LogFile> old_log;
  Status written = engine_->WriteStateSnapshot(
      [&](const std::string& record) {
        if (count == 0) IMAGINE_RETURN_IF_ERROR(put(header.dump()));
        return put(record);
      },
      [&]() -> Status {  // every change is paused here: the snapshot and the new log meet exactly
        if (count == 0) IMAGINE_RETURN_IF_ERROR(put(header.dump()));
        const uint64_t records = count - 1;
        IMAGINE_RETURN_IF_ERROR(put(nlohmann::json{{"t", "end"}, {"records", records}}.dump()));
        if (!Write(fd, buffer.data(), buffer.size())) return Internal("state: cannot write " + tmp + ": " + ErrnoText());
        bytes += buffer.size();
        if (options_.fsync != FsyncPolicy::kOff && ::fsync(fd) != 0) {
          return Internal("state: cannot sync " + tmp + ": " + ErrnoText());
        }
        auto log = std::make_shared<LogFile>();
        const std::string log_path = PathOf(LogName(next));
        log->fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
        if (log->fd < 0) return Internal("state: cannot write " + log_path + ": " + ErrnoText());
        if (::rename(tmp.c_str(), PathOf(kSnapshot).c_str()) != 0) {
          return Internal("state: cannot rename " + tmp + ": " + ErrnoText());
        }
        if (options_.fsync != FsyncPolicy::kOff) SyncDirectory(options_.dir);
        std::lock_guard<std::mutex> lock(mu_);
        old_log = std::move(log_);
        log_ = std::move(log);
        log_bytes_ = 0;
        snapshot_bytes_ = bytes;
        generation_ = next;
        info_.generation = next;
        ++info_.snapshots;
        std::lock_guard<std::mutex> sync_lock(sync_mu_);
        synced_ = written_;  // the snapshot holds everything written so far, synced
        return Status::Ok();
      });
  ::close(fd);
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return written;
  }
  ::unlink(PathOf(LogName(next - 1)).c_str());  // replaced by the snapshot
  return Status::Ok();
}

bool StateDir::CompactAndNote() {
  Status compacted = Compact();
  std::string note;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!compacted.ok()) {
      if (info_.compaction_error.empty()) {
        note = compacted.message() + " (no new snapshot; the log keeps every change, and the snapshot is retried every second)";
      }
      info_.compaction_error = compacted.message();
    } else if (!info_.compaction_error.empty()) {
      note = "state: a new snapshot of " + options_.dir + " is written again";
      info_.compaction_error.clear();
    }
  }
  if (!note.empty()) Log(compacted.ok() ? LogLevel::kInfo : LogLevel::kError, note);
  return compacted.ok();
}

Status StateDir::ReopenReplayedLog() {
  auto log = std::make_shared<LogFile>();
  const std::string path = PathOf(LogName(generation_));
  log->fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log->fd < 0) return Internal("state: cannot open " + path + ": " + ErrnoText());
  // A torn tail goes: the next record must start on a line of its own.
  if (::ftruncate(log->fd, static_cast<off_t>(replayed_log_bytes_)) != 0) {
    return Internal("state: cannot cut the torn tail of " + path + ": " + ErrnoText());
  }
  struct stat st {};
  const bool has_snapshot = ::stat(PathOf(kSnapshot).c_str(), &st) == 0;
  std::lock_guard<std::mutex> lock(mu_);
  log_ = std::move(log);
  log_bytes_ = replayed_log_bytes_;
  snapshot_bytes_ = has_snapshot ? static_cast<uint64_t>(st.st_size) : 0;
  info_.generation = generation_;
  return Status::Ok();
}

StatusOr<uint64_t> StateDir::Append(const std::string& record) {
  std::string note;  // logged after the lock: once when writes start failing, once when they work again
  StatusOr<uint64_t> appended = [&]() -> StatusOr<uint64_t> {
    std::lock_guard<std::mutex> lock(mu_);
    if (!log_) return Internal("the state log is not open");
    std::string line = record;
    line += '\n';
    if (!Write(log_->fd, line.data(), line.size())) {
      const std::string why = ErrnoText();
      if (::ftruncate(log_->fd, static_cast<off_t>(log_bytes_)) != 0) {  // no half record stays behind
        Log(LogLevel::kError, "state: cannot cut a half-written record from the log: " + ErrnoText());
      }
      const std::string error = "cannot append to " + PathOf(LogName(generation_)) + ": " + why;
      if (info_.write_error.empty()) {
        write_errors_before_episode_ = info_.write_errors;
        note = "state: " + error + "; every change is refused (and undone) until a write succeeds again";
      }
      ++info_.write_errors;
      info_.write_error = error;
      return Internal(error);
    }
    if (!info_.write_error.empty()) {
      note = "state: writes to " + options_.dir + " succeed again (" +
             std::to_string(info_.write_errors - write_errors_before_episode_) + " changes were refused meanwhile)";
      info_.write_error.clear();
    }
    log_bytes_ += line.size();
    written_ += line.size();
    if (log_bytes_ > options_.compact_bytes && log_bytes_ > snapshot_bytes_) {
      std::lock_guard<std::mutex> wake_lock(wake_mu_);
      if (!compact_wanted_) {
        compact_wanted_ = true;
        wake_.notify_all();
      }
    }
    return written_;
  }();
  if (!note.empty()) Log(appended.ok() ? LogLevel::kInfo : LogLevel::kError, note);
  return appended;
}

void StateDir::Sync(uint64_t position) {
  if (options_.fsync != FsyncPolicy::kAlways) return;
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  if (synced_ >= position) return;  // a sync for a later record covered this one
  std::shared_ptr<LogFile> log;
  uint64_t upto;
  {
    std::lock_guard<std::mutex> lock(mu_);
    log = log_;
    upto = written_;
  }
  if (log && ::fdatasync(log->fd) == 0) synced_ = upto;
}

void StateDir::RunBackground() {
  using SteadyClock = std::chrono::steady_clock;
  SteadyClock::time_point retry_at{};  // after a failed compaction, the next one waits a second
  std::unique_lock<std::mutex> lock(wake_mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(100),
                   [&] { return stopping_ || (compact_wanted_ && SteadyClock::now() >= retry_at); });
    if (stopping_) break;
    const bool compact = compact_wanted_ && SteadyClock::now() >= retry_at;
    lock.unlock();
    bool compacted = false;
    if (compact) {
      compacted = CompactAndNote();  // syncs everything written so far when it succeeds
      if (!compacted) retry_at = SteadyClock::now() + std::chrono::seconds(1);
    }
    if (!compacted && options_.fsync == FsyncPolicy::kBatch) {
      std::shared_ptr<LogFile> log;
      uint64_t upto;
      {
        std::lock_guard<std::mutex> l(mu_);
        log = log_;
        upto = written_;
      }
      std::lock_guard<std::mutex> sync_lock(sync_mu_);
      if (log && synced_ < upto && ::fdatasync(log->fd) == 0) synced_ = upto;
    }
    lock.lock();
    if (compacted) compact_wanted_ = false;
  }
}

StateInfo StateDir::info() const {
  std::lock_guard<std::mutex> lock(mu_);
  StateInfo i = info_;
  i.log_bytes = log_bytes_;
  return i;
}

}  // namespace imagine
