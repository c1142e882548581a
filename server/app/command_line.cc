#include "app/command_line.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "app/config_document.h"

namespace imagine {
namespace {

enum class FlagKind { kSwitch, kText, kNumber, kBool, kList };  // kList: comma-separated, blanks trimmed

struct FlagSpec {
  const char* flag;     // without leading dashes
  const char* env;      // environment twin, or null
  FlagKind kind;
  const char* pointer;  // the config key it sets (its bounds come from the config schema); null = none
  bool non_empty;       // an empty value is refused
  const char* message;  // how a refused value is described; {got} = the value as given
};

constexpr FlagSpec kFlags[] = {
    {"help", nullptr, FlagKind::kSwitch, nullptr, false, ""},
    {"version", nullptr, FlagKind::kSwitch, nullptr, false, ""},
    {"host", "IMAGINE_EMU_HOST", FlagKind::kText, "/server/host", true, "needs a host name or address"},
    {"port", "IMAGINE_EMU_PORT", FlagKind::kNumber, "/server/port", false, "must be a port from 0 to 65535 (got {got})"},
    {"config", "IMAGINE_EMU_CONFIG", FlagKind::kText, nullptr, true, "needs a file path"},
    {"seed", "IMAGINE_EMU_SEED", FlagKind::kNumber, "/seed", false, "must be a non-negative integer (got {got})"},
    {"clock", "IMAGINE_EMU_CLOCK", FlagKind::kText, "/clock/mode", false, "must be real or virtual (got {got})"},
    {"time-scale", "IMAGINE_EMU_TIME_SCALE", FlagKind::kNumber, "/clock/time_scale", false,
     "must be a number > 0 (got {got})"},
    {"public-url", "IMAGINE_EMU_PUBLIC_URL", FlagKind::kText, "/server/public_url", true,
     "must start with http:// or https:// (got {got})"},
    {"allowed-hosts", "IMAGINE_EMU_ALLOWED_HOSTS", FlagKind::kList, "/server/allowed_hosts", false,
     "must be host names, .domains (a domain and its subdomains) or all, comma-separated (got {got})"},
    {"log-level", "IMAGINE_EMU_LOG_LEVEL", FlagKind::kText, "/log_level", false,
     "must be debug, info, warn, error or off (got {got})"},
    {"self-check", "IMAGINE_EMU_SELF_CHECK", FlagKind::kBool, "/self_check", false,
     "must be 1, 0, true or false (got {got})"},
    {"admin-token", "IMAGINE_EMU_ADMIN_TOKEN", FlagKind::kText, "/admin/token", true, "needs a token"},
    {"log-format", "IMAGINE_EMU_LOG_FORMAT", FlagKind::kText, "/log_format", false, "must be text or json (got {got})"},
    {"inputs-fetch", "IMAGINE_EMU_INPUTS_FETCH", FlagKind::kText, "/inputs/fetch", false, "must be off or on (got {got})"},
    {"schemas", "IMAGINE_EMU_SCHEMAS", FlagKind::kText, "/schemas/dir", true, "needs a directory path"},
    {"max-stored-tasks", "IMAGINE_EMU_MAX_STORED_TASKS", FlagKind::kNumber, "/tasks/max_stored", false,
     "must be an integer from 1 to 100000000 (got {got})"},
    {"proxy", "IMAGINE_EMU_PROXY", FlagKind::kText, nullptr, true,
     "must be apikley=URL,evolink=URL (one or both; got {got})"},
    {"drift-report", "IMAGINE_EMU_DRIFT_REPORT", FlagKind::kText, "/proxy/drift_report", true, "needs a file path"},
    {"state-dir", "IMAGINE_EMU_STATE_DIR", FlagKind::kText, "/state/dir", true, "needs a directory path"},
    {"state-fsync", "IMAGINE_EMU_STATE_FSYNC", FlagKind::kText, "/state/fsync", false,
     "must be always, batch or off (got {got})"},
};

Status Refused(const FlagSpec& spec, const std::string& origin, const std::string& value) {
  std::string message = spec.message;
  if (size_t slot = message.find("{got}"); slot != std::string::npos) message.replace(slot, 5, "\"" + value + "\"");
  return InvalidArgument(origin + ": " + message);
}

// `text` as the JSON value a flag of `kind` gives; what does not read as its kind stays
// text, so the schema refuses it.
nlohmann::json Typed(FlagKind kind, const std::string& text) {
  if (kind == FlagKind::kList) {
    nlohmann::json list = nlohmann::json::array();
    size_t start = 0;
    while (start < text.size()) {
      size_t comma = text.find(',', start);
      if (comma == std::string::npos) comma = text.size();
      const size_t first = text.find_first_not_of(" \t", start);
      const size_t last = text.find_last_not_of(" \t", comma - 1);
      list.push_back(first < comma && last != std::string::npos && last >= first ? text.substr(first, last - first + 1)
                                                                                : std::string());
      start = comma + 1;
    }
    return list;
  }
  if (kind == FlagKind::kBool) {
    if (text == "1" || text == "true") return true;
    if (text == "0" || text == "false") return false;
    return text;
  }
  if (kind != FlagKind::kNumber || text.empty()) return text;
  char* end = nullptr;
  errno = 0;
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (*end == '\0' && errno == 0) return v;
  }
  if (text[0] == '-' && text.size() > 1 && text.find_first_not_of("0123456789", 1) == std::string::npos) {
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (*end == '\0' && errno == 0) return v;
  }
  errno = 0;
  double d = std::strtod(text.c_str(), &end);
  if (*end == '\0' && errno == 0 && std::isfinite(d)) return d;
  return text;
}

// Checks `value` of `spec` with the config schema's bounds and stores it into `cl`.
Status SetValue(CommandLine* cl, const FlagSpec& spec, const std::string& value, const std::string& origin) {
  const std::string name = spec.flag;
  if (spec.non_empty && value.empty()) return Refused(spec, origin, value);
  nlohmann::json typed = Typed(spec.kind, value);
  if (spec.pointer != nullptr) {
    auto schema = ConfigDocument::SchemaFor(spec.pointer);
    if (!schema.ok()) return schema.status();
    if (!(*schema)->Validate(typed, nullptr)) return Refused(spec, origin, value);
  }
  if (name == "host") {
    cl->host = value;
  } else if (name == "port") {
    cl->port = typed.get<int>();
  } else if (name == "config") {
    cl->config_path = value;
  } else if (name == "seed") {
    cl->seed = typed.get<uint64_t>();
  } else if (name == "clock") {
    cl->clock = value == "virtual" ? ClockMode::kVirtual : ClockMode::kReal;
  } else if (name == "time-scale") {
    cl->time_scale = typed.get<double>();
  } else if (name == "public-url") {
    std::string v = value;
    while (!v.empty() && v.back() == '/') v.pop_back();
    cl->public_url = v;
  } else if (name == "allowed-hosts") {
    cl->allowed_hosts = typed.get<std::vector<std::string>>();
  } else if (name == "log-level") {
    cl->log_level = value;
  } else if (name == "admin-token") {
    cl->admin_token = value;
  } else if (name == "log-format") {
    cl->log_format = value;
  } else if (name == "max-stored-tasks") {
    cl->max_stored_tasks = typed.get<size_t>();
  } else if (name == "self-check") {
    cl->self_check = typed.get<bool>();
  } else if (name == "inputs-fetch") {
    cl->inputs_fetch = value;
  } else if (name == "schemas") {
    cl->schemas_dir = value;
  } else if (name == "proxy") {
    // provider=URL pairs, comma-separated; a URL holds no comma unescaped.
    std::map<std::string, std::string> upstreams;
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      const std::string pair = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      const size_t eq = pair.find('=');
      const std::string provider = eq == std::string::npos ? "" : pair.substr(0, eq);
      if ((provider != "apikley" && provider != "evolink") || eq + 1 >= pair.size() || upstreams.count(provider)) {
        return Refused(spec, origin, value);
      }
      upstreams[provider] = pair.substr(eq + 1);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    cl->proxy = std::move(upstreams);
  } else if (name == "drift-report") {
    cl->drift_report = value;
  } else if (name == "state-dir") {
    cl->state_dir = value;
  } else if (name == "state-fsync") {
    cl->state_fsync = value;
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
    if (arg == "-h") {  // the one short form everyone types
      cl.help = true;
      given.push_back("help");
      continue;
    }
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
    if (spec->kind == FlagKind::kSwitch || spec->kind == FlagKind::kBool) {  // a bool flag is a switch; its variable takes 1/0
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
    IMAGINE_RETURN_IF_ERROR(SetValue(&cl, *spec, value, "--" + name));
    given.push_back(name);
  }
  for (const FlagSpec& f : kFlags) {
    if (f.env == nullptr) continue;
    bool seen = false;
    for (const std::string& g : given) seen = seen || g == f.flag;
    if (seen) continue;
    const char* value = getenv(f.env);
    if (value == nullptr) continue;
    IMAGINE_RETURN_IF_ERROR(SetValue(&cl, f, value, f.env));
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
  if (cl.allowed_hosts) config->server.allowed_hosts = *cl.allowed_hosts;
  if (cl.log_level) config->log_level = *cl.log_level;
  if (cl.self_check) config->self_check = *cl.self_check;
  if (cl.admin_token) config->admin_token = *cl.admin_token;
  if (cl.log_format) config->log_json = *cl.log_format == "json";
  if (cl.inputs_fetch) config->inputs.fetch = *cl.inputs_fetch == "on";
  if (cl.schemas_dir) config->schemas.dir = *cl.schemas_dir;
  if (cl.max_stored_tasks) config->max_stored_tasks = *cl.max_stored_tasks;
  if (cl.proxy) {
    for (const auto& [provider, url] : *cl.proxy) (provider == "apikley" ? config->proxy.apikley : config->proxy.evolink) = url;
  }
  if (cl.drift_report) config->proxy.drift_report = *cl.drift_report;
  if (cl.state_dir) config->state.dir = *cl.state_dir;
  if (cl.state_fsync) ParseFsyncPolicy(*cl.state_fsync, &config->state.fsync);  // checked by the schema
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
  --allowed-hosts A,B  Host names the control API answers besides localhost, IP addresses, the
                       bind host and public_url's host (DNS-rebinding guard): name, .domain (and
                       its subdomains) or all (IMAGINE_EMU_ALLOWED_HOSTS; default none)
  --log-level L        debug | info | warn | error | off (IMAGINE_EMU_LOG_LEVEL; default info)
  --admin-token TOKEN  require "Authorization: Bearer TOKEN" on /_emulator/ routes (IMAGINE_EMU_ADMIN_TOKEN)
  --log-format F       text | json: one line per request (IMAGINE_EMU_LOG_FORMAT; default text)
  --max-stored-tasks N keep at most N tasks; the earliest finished are evicted first
                       (IMAGINE_EMU_MAX_STORED_TASKS; default 1000000)
  --self-check         validate every provider response against the provider's OpenAPI
                       document and log violations (IMAGINE_EMU_SELF_CHECK=1)
  --inputs-fetch off|on  download and check each create's input image; a bad one fails
                       the task the provider's way (IMAGINE_EMU_INPUTS_FETCH; default off)
  --schemas DIR        load apikley.openapi.yaml / evolink.openapi.yaml from DIR instead of
                       the embedded documents (IMAGINE_EMU_SCHEMAS)
  --proxy apikley=URL,evolink=URL
                       proxy mode: forward the provider routes to the live API (https unless
                       proxy.allow_http), check both directions against schemas/ (IMAGINE_EMU_PROXY)
  --drift-report FILE  on exit write the drift findings to FILE (JSON) and FILE.xml (JUnit)
                       (IMAGINE_EMU_DRIFT_REPORT)
  --state-dir DIR      keep tasks, usage, run-time profiles and rules, the clock and the ids
                       in DIR across restarts and kill -9 (IMAGINE_EMU_STATE_DIR; default none)
  --state-fsync P      always | batch | off: what also survives a power loss
                       (IMAGINE_EMU_STATE_FSYNC; default batch)
  -h, --help           print this help and exit
  --version            print the version and exit

Flags beat environment variables, which beat the config file, which beats the defaults.
)";
}

}  // namespace imagine
