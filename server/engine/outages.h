// Outages: one provider taken down on purpose while the others work. An outage is a
// provider-wide scenario rule (engine/scenarios.h) made from a kind, optionally for a time
// (for_s, on the emulator's clock) and/or a number of requests (times); Engine::SetOutage
// adds it in place of the provider's earlier outage. Stateless functions; thread-safe.
#ifndef IMAGINE_ENGINE_OUTAGES_H_
#define IMAGINE_ENGINE_OUTAGES_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/scenarios.h"

namespace imagine {

// A kind of outage and the catalog scenario its rule arms.
struct OutageKind {
  std::string_view name;      // maintenance | server_error | rate_limited | failing
  std::string_view scenario;  // fixtures/scenarios.yaml
};

// The kinds, the default (maintenance) first:
//   maintenance, server_error, rate_limited: every create and status query answers the
//     provider's own words for that error (a request counts one of `times`);
//   failing: creates are accepted, and each task fails while generating (generation_failed;
//     a create counts one of `times`, queries answer as usual).
const std::vector<OutageKind>& OutageKinds();
// "maintenance, server_error, rate_limited, failing": for error messages.
std::string OutageKindNames();

// The rule of an outage of `provider`; `kind` "" is maintenance. The schemas (Outage,
// OutageKind) check kind, for_s and times before this is called; a kind not in OutageKinds()
// is still kInvalidArgument ("kind must be one of ... (got ...)"), for a caller without them.
// Precondition: for_s >= 0 (0 = no time bound); times -1 = unlimited or >= 1.
StatusOr<ScenarioRule> MakeOutageRule(Provider provider, std::string_view kind, double for_s, int times);

// What the control API shows of an active outage rule at `now_ms`: provider, kind, rule (its
// id), scenario, and where bounded for_s, expires_at_ms, remaining_s and remaining_requests.
nlohmann::ordered_json OutageToJson(const ScenarioRule& rule, int64_t now_ms);

}  // namespace imagine

#endif  // IMAGINE_ENGINE_OUTAGES_H_
