// The imagine-emu command line: flags, their IMAGINE_EMU_* environment twins, and how
// they override the config (flag > environment > --config file > embedded default).
// Pure functions; thread-safe.
#ifndef IMAGINE_APP_COMMAND_LINE_H_
#define IMAGINE_APP_COMMAND_LINE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/config.h"
#include "common/status.h"

namespace imagine {

struct CommandLine {
  bool help = false;
  bool version = false;
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<std::string> config_path;
  std::optional<uint64_t> seed;
  std::optional<ClockMode> clock;
  std::optional<double> time_scale;
  std::optional<std::string> public_url;
  std::optional<std::vector<std::string>> allowed_hosts;  // --allowed-hosts a,b
  std::optional<std::string> log_level;
  std::optional<bool> self_check;
  std::optional<std::string> admin_token;
  std::optional<std::string> log_format;
  std::optional<std::string> inputs_fetch;  // off | on
  std::optional<std::string> schemas_dir;
  std::optional<size_t> max_stored_tasks;
  std::optional<std::map<std::string, std::string>> proxy;  // --proxy: provider -> upstream URL
  std::optional<std::string> drift_report;
  std::optional<std::string> state_dir;
  std::optional<std::string> state_fsync;
};

// Reads `args` (without the program name) and, for flags not given, the environment
// through `getenv`. Each value is checked against the bounds of the config key it sets
// (schemas/config.schema.yaml), the same check a config file gets. kInvalidArgument
// naming the flag (or variable) on an unknown flag, a missing or a bad value.
StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args,
                                       const std::function<const char*(const char*)>& getenv);

// Writes the given options over `config` and checks combinations that conflict
// (--time-scale with --clock virtual). kInvalidArgument on a conflict.
Status ApplyCommandLine(const CommandLine& cl, Config* config);

// The --help text.
std::string UsageText();

}  // namespace imagine

#endif  // IMAGINE_APP_COMMAND_LINE_H_
