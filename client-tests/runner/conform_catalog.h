// The conformance catalog (client-tests/scenarios.yaml, embedded in the binary): the
// scenarios a client is put through, how each is armed on the emulator, and what a
// well-behaved client does. And the self-test manifest (clients.yaml): the bundled clients
// and the checks each must fail. Immutable after loading; thread-safe.
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_CONFORM_CATALOG_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_CONFORM_CATALOG_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace imagine::conform {

enum class Expect {
  kSuccess,      // prints the result URL (after downloading it) and exits 0
  kFailure,      // prints the provider's message and exits non-zero
  kGivesUp,      // exits non-zero on its own after IMAGINE_MAX_WAIT_S
  kExpiredLink,  // the task succeeds but the download answers 404: exits non-zero, URL not printed
};

struct ConformScenario {
  std::string name;
  std::string description;
  std::vector<std::string> providers;  // empty = every provider
  nlohmann::json profile;              // PUT /_emulator/keys/<key> body, or null
  nlohmann::json rule;                 // POST /_emulator/scenarios/rules body (key added), or null
  bool callback = false;
  bool duplicate_delivery = false;     // the callback is delivered twice
  bool creates_task = true;            // false: a well-behaved client gets no task
  Expect expect = Expect::kSuccess;

  bool AppliesTo(const std::string& provider) const;
};

// Parses the catalog YAML; errors name the source and the scenario.
StatusOr<std::vector<ConformScenario>> ParseCatalog(std::string_view yaml, std::string_view source);
// The embedded client-tests/scenarios.yaml.
StatusOr<std::vector<ConformScenario>> EmbeddedCatalog();
// The scenarios of `catalog` that apply to `provider`, limited to `only` unless it is empty.
std::vector<const ConformScenario*> ScenariosFor(const std::vector<ConformScenario>& catalog, const std::string& provider,
                                                 const std::vector<std::string>& only);

// A client of the self-test manifest (clients.yaml in the clients directory).
struct ClientUnderTest {
  std::string name;
  std::string command;      // run through bash -c in the clients directory
  bool callback_receiver = true;
  std::string fault;        // broken clients: the check the fault is aimed at ("" for references)
  bool no_passes = false;   // a client that does nothing: no check may pass for it
  std::map<std::string, std::vector<std::string>> expected_failures;  // provider -> checks

  bool is_reference() const { return fault.empty(); }
  // Whether the client is run on `provider` in a self-test: a provider its expected_failures
  // does not name is one it does not speak (none named: every provider).
  bool Speaks(const std::string& provider) const;
};
StatusOr<std::vector<ClientUnderTest>> ParseClients(std::string_view yaml, std::string_view source);

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_CONFORM_CATALOG_H_
