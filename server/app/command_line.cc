#include "app/command_line.h"

#include <algorithm>
#include <string_view>

#include "app/config_document.h"
#include "app/flag_docs.h"
#include "app/flag_table.h"

namespace imagine {
namespace {

// The flags that are not a config key.
FlagSpec Special(const char* name, FlagKind kind, int order, const char* value, const char* help) {
  FlagSpec f;
  f.name = name;
  f.kind = kind;
  f.order = order;
  f.value_name = value;
  f.help = help;
  f.default_text = "—";
  return f;
}

const FlagSpec kConfigFlag = [] {
  FlagSpec f = Special("config", FlagKind::kText, 30, "FILE", "YAML applied over the embedded default");
  f.env = "IMAGINE_EMU_CONFIG";
  f.non_empty = true;
  return f;
}();
const FlagSpec kHelpFlag = Special("help", FlagKind::kSwitch, 0, "", "");
const FlagSpec kVersionFlag = Special("version", FlagKind::kSwitch, 0, "", "");

// --config among the schema's flags, by order.
StatusOr<std::vector<FlagSpec>> DocumentedFlags() {
  auto flags = SchemaFlags();
  if (!flags.ok()) return flags.status();
  std::vector<FlagSpec> all = *flags;
  auto at = std::find_if(all.begin(), all.end(), [](const FlagSpec& f) { return f.order > kConfigFlag.order; });
  all.insert(at, kConfigFlag);
  return all;
}

// The layer (or, for --config, the path) `text` gives `flag`.
Status SetValue(CommandLine* cl, const FlagSpec& flag, const std::string& text, const std::string& origin) {
  if (flag.pointer.empty()) {  // --config
    if (text.empty()) return InvalidArgument(origin + ": needs a file path");
    cl->config_path = text;
    return Status::Ok();
  }
  auto layer = FlagLayer(flag, text, origin);
  if (!layer.ok()) return layer.status();
  // Each value was checked against its key's schema (a mapping's one by one).
  const bool alone = ConfigDocument::ChecksAlone(flag.pointer, flag.kind == FlagKind::kPairs);
  cl->layers.push_back(ConfigLayer{origin, text, std::move(layer).value(), alone});
  return Status::Ok();
}

}  // namespace

StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args,
                                       const std::function<const char*(const char*)>& getenv) {
  auto flags = DocumentedFlags();
  if (!flags.ok()) return flags.status();
  flags->push_back(kHelpFlag);
  flags->push_back(kVersionFlag);
  CommandLine cl;
  std::vector<ConfigLayer> given;  // the flags' layers; the environment's go first
  std::vector<std::string> names;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h") {  // the one short form everyone types
      cl.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) return InvalidArgument("unexpected argument '" + arg + "' (see --help)");
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto flag = std::find_if(flags->begin(), flags->end(), [&](const FlagSpec& f) { return f.name == name; });
    if (flag == flags->end()) return InvalidArgument("unknown flag --" + name + " (see --help)");
    names.push_back(name);
    if (flag->kind == FlagKind::kSwitch || flag->kind == FlagKind::kBool) {  // its variable takes 1/0
      if (inline_value) return InvalidArgument("--" + name + " takes no value");
      cl.help = cl.help || name == "help";
      cl.version = cl.version || name == "version";
      if (flag->kind == FlagKind::kBool) IMAGINE_RETURN_IF_ERROR(SetValue(&cl, *flag, "true", "--" + name));
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return InvalidArgument("--" + name + " needs a value");
    }
    IMAGINE_RETURN_IF_ERROR(SetValue(&cl, *flag, value, "--" + name));
  }
  given.swap(cl.layers);
  for (const FlagSpec& f : *flags) {
    if (f.env.empty() || std::find(names.begin(), names.end(), f.name) != names.end()) continue;
    if (const char* value = getenv(f.env.c_str()); value != nullptr) IMAGINE_RETURN_IF_ERROR(SetValue(&cl, f, value, f.env));
  }
  for (ConfigLayer& layer : given) cl.layers.push_back(std::move(layer));
  return cl;
}

bool OnlyAsksForVersion(const std::vector<std::string>& args, const char* const* environ) {
  if (args.empty()) return false;
  for (const std::string& arg : args) {
    if (arg != "--version") return false;
  }
  for (const char* const* e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::string_view(*e).compare(0, 12, "IMAGINE_EMU_") == 0) return false;
  }
  return true;
}

namespace {

// The combinations of the layers that conflict in `merged` (--time-scale with --clock virtual).
Status CheckConflicts(const std::vector<ConfigLayer>& layers, const Config& merged) {
  for (const ConfigLayer& layer : layers) {
    const bool sets_scale = layer.value.contains("clock") && layer.value["clock"].contains("time_scale");
    if (sets_scale && merged.clock.mode == ClockMode::kVirtual) {
      return InvalidArgument(layer.source +
                             " applies to --clock real only; a virtual clock moves via POST /_emulator/clock/advance");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ApplyCommandLine(const CommandLine& cl, Config* config) {
  if (cl.layers.empty()) return Status::Ok();
  Config merged = *config;
  IMAGINE_RETURN_IF_ERROR(ApplyConfigLayers(cl.layers, &merged));
  IMAGINE_RETURN_IF_ERROR(CheckConflicts(cl.layers, merged));
  *config = std::move(merged);
  return Status::Ok();
}

StatusOr<Config> LoadCommandLineConfig(const CommandLine& cl) {
  auto config = LoadConfig(cl.config_path.value_or(""), cl.layers);
  if (!config.ok()) return config;
  IMAGINE_RETURN_IF_ERROR(CheckConflicts(cl.layers, *config));
  return config;
}

std::string UsageText() {
  auto flags = DocumentedFlags();
  std::string options = flags.ok() ? FlagHelpLines(*flags) : "  (" + flags.status().message() + ")\n";
  return "Usage: imagine-emu [options]\n\n"
         "A local emulator of the Apikley and Evolink Grok Imagine APIs, both on one port.\n\n"
         "Options (each also read from the environment variable shown):\n" +
         options +
         "  -h, --help           print this help and exit\n"
         "  --version            print the version and exit\n\n"
         "Flags beat environment variables, which beat the config file, which beats the defaults.\n";
}

std::string FlagTableMarkdown() {
  auto flags = DocumentedFlags();
  if (!flags.ok()) return flags.status().message() + "\n";
  return "| flag | environment | default | meaning |\n|---|---|---|---|\n" + FlagTableRows(*flags) +
         "| `-h`, `--help`, `--version` | | | |\n";
}

std::string WithFlagTable(const std::string& readme) {
  const size_t start = readme.find("\n| flag | environment | default | meaning |\n");
  if (start == std::string::npos) return readme;
  size_t end = start + 1;
  while (end < readme.size() && readme[end] == '|') {
    const size_t eol = readme.find('\n', end);
    end = eol == std::string::npos ? readme.size() : eol + 1;
  }
  return readme.substr(0, start + 1) + FlagTableMarkdown() + readme.substr(end);
}

}  // namespace imagine
