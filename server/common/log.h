// Process-wide leveled logging to stderr, one line per call. Thread-safe (each line is
// written with a single write). The level is set once at start-up from --log-level.
#ifndef IMAGINE_COMMON_LOG_H_
#define IMAGINE_COMMON_LOG_H_

#include <string>
#include <string_view>

namespace imagine {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError, kOff };

// Parses "debug|info|warn|error|off"; false on anything else.
bool ParseLogLevel(std::string_view text, LogLevel* out);
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
void Log(LogLevel level, std::string_view message);
// Writes `line` (plus a newline) to stderr as it is, for JSON-lines logs.
void WriteLogLine(std::string_view line);

}  // namespace imagine

#endif  // IMAGINE_COMMON_LOG_H_
