// The conformance catalog (client-tests/scenarios.yaml, embedded in the binary): the
// scenarios a client is put through, how each is armed on the emulator, and what a
// well-behaved client does. Immutable after loading; thread-safe.
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_CONFORM_CATALOG_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_CONFORM_CATALOG_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace imagine::conform {

enum class Expect { kSuccess, kFailure, kGivesUp };

struct ConformScenario {
  std::string name;
  std::string description;
  std::vector<std::string> providers;  // empty = both
  nlohmann::json profile;              // PUT /_emulator/keys/<key> body, or null
  nlohmann::json rule;                 // POST /_emulator/scenarios/rules body (key added), or null
  bool callback = false;
  Expect expect = Expect::kSuccess;

  bool AppliesTo(const std::string& provider) const;
};

// Parses the catalog YAML; errors name the source and line.
StatusOr<std::vector<ConformScenario>> ParseCatalog(std::string_view yaml, std::string_view source);
// The embedded client-tests/scenarios.yaml.
StatusOr<std::vector<ConformScenario>> EmbeddedCatalog();

// A client under test, from client-tests/clients/clients.yaml.
struct ClientUnderTest {
  std::string name;
  std::string command;
  bool callback_receiver = true;
  std::map<std::string, std::vector<std::string>> expected_failures;  // provider -> checks
};
StatusOr<std::vector<ClientUnderTest>> ParseClients(std::string_view yaml, std::string_view source);

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_CONFORM_CATALOG_H_
