// The imagine-emu command line. The flags that set a config key, and their IMAGINE_EMU_*
// environment twins, are declared once, as x-flag on the key in schemas/config.schema.yaml
// (app/flag_table.h); each given value becomes one more config layer, merged over the config
// (flag > environment > --config file > embedded default). Only --help/-h, --version and
// --config (which names the file) are written here. --help and docs/configuration.md's flag table are made
// from the same table. Pure functions; thread-safe.
#ifndef IMAGINE_APP_COMMAND_LINE_H_
#define IMAGINE_APP_COMMAND_LINE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/config.h"
#include "common/status.h"

namespace imagine {

struct CommandLine {
  bool help = false;
  bool version = false;
  std::optional<std::string> config_path;  // --config / IMAGINE_EMU_CONFIG
  // One layer per flag or variable given, each checked against its key's schema: the
  // environment's first, then the flags' (later layers win).
  std::vector<ConfigLayer> layers;
};

// Reads `args` (without the program name) and, for flags not given, the environment
// through `getenv`. Each value is checked against the schema of the config key it sets, the
// same check a config file gets, and refused in the key's own words (x-message).
// kInvalidArgument naming the flag (or variable) on an unknown flag, a missing or a bad value;
// kInternal when the schema's x-flag annotations are malformed.
StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args,
                                       const std::function<const char*(const char*)>& getenv);

// True when ParseCommandLine(args, ...) would only ask for the version: every argument is
// --version (at least one) and `environ` (NAME=VALUE entries, null-terminated) sets no
// IMAGINE_EMU_* variable, the prefix of every flag's variable, so that none would be read and
// checked. main then prints the version without building the flag table from the schema.
bool OnlyAsksForVersion(const std::vector<std::string>& args, const char* const* environ);

// Merges the layers over `config` and checks combinations that conflict (--time-scale with
// --clock virtual). kInvalidArgument on a conflict; `config` is unchanged on any error.
Status ApplyCommandLine(const CommandLine& cl, Config* config);

// The config the command line asks for: LoadConfig(cl.config_path) with ApplyCommandLine(cl)
// over it, the same config and the same errors, read in one pass when it can
// (LoadConfig(path, layers)). What main runs.
StatusOr<Config> LoadCommandLineConfig(const CommandLine& cl);

// The --help text.
std::string UsageText();

// docs/configuration.md's flag table (header, one row per flag, the --help/--version row), from the same table.
std::string FlagTableMarkdown();

// `readme` with its flag table (the lines from "| flag | environment | default | meaning |" to
// the first line not starting with "|") replaced by FlagTableMarkdown(); unchanged without one.
// docs/configuration.md is made with it (tools/docs_tables_main.cc) and a test checks it is.
std::string WithFlagTable(const std::string& readme);

}  // namespace imagine

#endif  // IMAGINE_APP_COMMAND_LINE_H_
