// StateLog: where the engine appends what it must not lose when the process dies (the
// state directory, server/state/). The engine hands it one record at a time, a compact
// JSON object (engine/state_records.h); Append returns once the record is written to the
// operating system, so a kill -9 after it keeps the record. Sync makes records survive a
// power loss too, as the implementation's fsync policy says. Thread-safe implementations.
#ifndef IMAGINE_ENGINE_STATE_LOG_H_
#define IMAGINE_ENGINE_STATE_LOG_H_

#include <cstdint>
#include <string>

#include "common/status.h"

namespace imagine {

class StateLog {
 public:
  virtual ~StateLog() = default;
  // Writes `record` (one line, no newline in it); returns a position for Sync, or why the
  // record could not be written (nothing of it is kept then).
  virtual StatusOr<uint64_t> Append(const std::string& record) = 0;
  // Returns once every record up to `position` survives a power loss, when the policy asks
  // for that before an answer (fsync: always); otherwise at once.
  virtual void Sync(uint64_t position) = 0;
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_STATE_LOG_H_
