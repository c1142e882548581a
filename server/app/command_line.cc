#include "app/command_line.h"

#include <cerrno>
#include <cstdlib>

namespace imagine {
namespace {

struct FlagSpec {
  const char* flag;  // without leading dashes
  const char* env;   // environment twin, or null
  bool takes_value;
};

constexpr FlagSpec kFlags[] = {
    {"help", nullptr, false},
    {"version", nullptr, false},
    {"host", "IMAGINE_EMU_HOST", true},
    {"port", "IMAGINE_EMU_PORT", true},
    {"config", "IMAGINE_EMU_CONFIG", true},
    {"seed", "IMAGINE_EMU_SEED", true},
    {"clock", "IMAGINE_EMU_CLOCK", true},
    {"time-scale", "IMAGINE_EMU_TIME_SCALE", true},
    {"public-url", "IMAGINE_EMU_PUBLIC_URL", true},
    {"log-level", "IMAGINE_EMU_LOG_LEVEL", true},
    {"self-check", "IMAGINE_EMU_SELF_CHECK", false},
    {"admin-token", "IMAGINE_EMU_ADMIN_TOKEN", true},
    {"log-format", "IMAGINE_EMU_LOG_FORMAT", true},
};

Status Bad(const std::string& origin, const std::string& problem) { return InvalidArgument(origin + ": " + problem); }

bool ParseInt64(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

// Stores `value` of flag `name` into `cl`; `origin` is how errors name it.
Status SetValue(CommandLine* cl, const std::string& name, const std::string& value, const std::string& origin) {
  if (name == "host") {
    if (value.empty()) return Bad(origin, "needs a host name or address");
    cl->host = value;
  } else if (name == "port") {
    int64_t v;
    if (!ParseInt64(value, &v) || v < 0 || v > 65535) return Bad(origin, "must be a port from 0 to 65535 (got \"" + value + "\")");
    cl->port = static_cast<int>(v);
  } else if (name == "config") {
    if (value.empty()) return Bad(origin, "needs a file path");
    cl->config_path = value;
  } else if (name == "seed") {
    int64_t v;
    if (!ParseInt64(value, &v) || v < 0) return Bad(origin, "must be a non-negative integer (got \"" + value + "\")");
    cl->seed = static_cast<uint64_t>(v);
  } else if (name == "clock") {
    if (value == "real") {
      cl->clock = ClockMode::kReal;
    } else if (value == "virtual") {
      cl->clock = ClockMode::kVirtual;
    } else {
      return Bad(origin, "must be real or virtual (got \"" + value + "\")");
    }
  } else if (name == "time-scale") {
    char* end = nullptr;
    double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(v > 0) || v > 1e6) {
      return Bad(origin, "must be a number > 0 (got \"" + value + "\")");
    }
    cl->time_scale = v;
  } else if (name == "public-url") {
    if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0) {
      return Bad(origin, "must start with http:// or https:// (got \"" + value + "\")");
    }
    std::string v = value;
    while (!v.empty() && v.back() == '/') v.pop_back();
    cl->public_url = v;
  } else if (name == "log-level") {
    if (value != "debug" && value != "info" && value != "warn" && value != "error" && value != "off") {
      return Bad(origin, "must be debug, info, warn, error or off (got \"" + value + "\")");
    }
    cl->log_level = value;
  } else if (name == "admin-token") {
    if (value.empty()) return Bad(origin, "needs a token");
    cl->admin_token = value;
  } else if (name == "log-format") {
    if (value != "text" && value != "json") return Bad(origin, "must be text or json (got \"" + value + "\")");
    cl->log_format = value;
  } else if (name == "self-check") {
    if (value != "1" && value != "0" && value != "true" && value != "false") {
      return Bad(origin, "must be 1, 0, true or false (got \"" + value + "\")");
    }
    cl->self_check = value == "1" || value == "true";
  }
  return Status::Ok();
}

}  // namespace

StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args,
                                       const std::function<const char*(const char*)>& getenv) {
  CommandLine cl;
  std::vector<std::string> given;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      return InvalidArgument("unexpected argument '" + arg + "' (see --help)");
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& f : kFlags) {
      if (name == f.flag) spec = &f;
    }
    if (spec == nullptr) return InvalidArgument("unknown flag --" + name + " (see --help)");
    if (!spec->takes_value) {
      if (inline_value) return InvalidArgument("--" + name + " takes no value");
      if (name == "help") cl.help = true;
      if (name == "version") cl.version = true;
      if (name == "self-check") cl.self_check = true;
      given.push_back(name);
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
    IMAGINE_RETURN_IF_ERROR(SetValue(&cl, name, value, "--" + name));
    given.push_back(name);
  }
  for (const FlagSpec& f : kFlags) {
    if (f.env == nullptr) continue;
    bool seen = false;
    for (const std::string& g : given) seen = seen || g == f.flag;
    if (seen) continue;
    const char* value = getenv(f.env);
    if (value == nullptr) continue;
    IMAGINE_RETURN_IF_ERROR(SetValue(&cl, f.flag, value, f.env));
  }
  return cl;
}

Status ApplyCommandLine(const CommandLine& cl, Config* config) {
  if (cl.host) config->server.host = *cl.host;
  if (cl.port) config->server.port = *cl.port;
  if (cl.seed) config->seed = *cl.seed;
  if (cl.clock) config->clock.mode = *cl.clock;
  if (cl.time_scale) config->clock.time_scale = *cl.time_scale;
  if (cl.public_url) config->server.public_url = *cl.public_url;
  if (cl.log_level) config->log_level = *cl.log_level;
  if (cl.self_check) config->self_check = *cl.self_check;
  if (cl.admin_token) config->admin_token = *cl.admin_token;
  if (cl.log_format) config->log_json = *cl.log_format == "json";
  if (cl.time_scale && config->clock.mode == ClockMode::kVirtual) {
    return InvalidArgument("--time-scale applies to --clock real only; a virtual clock moves via POST /_emulator/clock/advance");
  }
  return Status::Ok();
}

std::string UsageText() {
  return R"(Usage: imagine-emu [options]

A local emulator of the Apikley and Evolink Grok Imagine APIs, both on one port.

Options (each also read from the environment variable shown):
  --host HOST          bind address (IMAGINE_EMU_HOST; default 127.0.0.1)
  --port N             port, 0 = any free port (IMAGINE_EMU_PORT; default 8080)
  --config FILE        YAML config applied over the embedded default (IMAGINE_EMU_CONFIG)
  --seed N             seed for ids and stage durations; 0 = fresh per run (IMAGINE_EMU_SEED)
  --clock real|virtual real time, or time that moves only via POST /_emulator/clock/advance
                       (IMAGINE_EMU_CLOCK; default real)
  --time-scale X       real clock only: X emulated seconds per real second (IMAGINE_EMU_TIME_SCALE)
  --public-url URL     base of result links (IMAGINE_EMU_PUBLIC_URL; default http://HOST:PORT)
  --log-level L        debug | info | warn | error | off (IMAGINE_EMU_LOG_LEVEL; default info)
  --admin-token TOKEN  require "Authorization: Bearer TOKEN" on /_emulator/ routes (IMAGINE_EMU_ADMIN_TOKEN)
  --log-format F       text | json: one line per request (IMAGINE_EMU_LOG_FORMAT; default text)
  --self-check         validate every provider response against the provider's OpenAPI
                       document and log violations (IMAGINE_EMU_SELF_CHECK=1)
  --help               print this help and exit
  --version            print the version and exit

Flags beat environment variables, which beat the config file, which beats the defaults.
)";
}

}  // namespace imagine
