// ProxyOptions: what proxy mode is told at start-up (config section `proxy:`, flags --proxy
// and --drift-report). Proxy mode is off unless an upstream URL is set; replay_file works
// with or without upstreams. Plain data.
#ifndef IMAGINE_PROXY_PROXY_OPTIONS_H_
#define IMAGINE_PROXY_PROXY_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace imagine {

struct ProxyOptions {
  // Each provider's upstream base URL is ProviderConfig::upstream (`proxy.<provider>`).
  bool allow_http = false;         // accept http:// upstreams (tests); else https only
  bool capture_callbacks = false;  // route provider callbacks through the emulator (needs server.public_url)
  int64_t timeout_ms = 0;          // connect, each write and each read to an upstream
  size_t body_limit_bytes = 0;     // largest upstream answer (or callback) taken
  std::string drift_report;        // on exit write the findings here (JSON) and to <file>.xml (JUnit); "" = none
  std::string replay_file;         // recordings to replay at start-up ("" = none)
};

}  // namespace imagine

#endif  // IMAGINE_PROXY_PROXY_OPTIONS_H_
