// --self-test: runs every client of the manifest (clients.yaml in the clients directory)
// through the catalog and compares the checks each fails with the checks it must fail.
// On a full run it also proves the checks themselves: every check some reference passes is
// failed by some broken client, every check a broken client fails is passed by the references,
// and a client marked no_passes (it does nothing) passes nothing.
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_SELF_TEST_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_SELF_TEST_H_

#include <string>
#include <vector>

#include "runner/conform_catalog.h"
#include "runner/options.h"
#include "runner/session.h"

namespace imagine::conform {

// Returns the exit status: 0 all as expected, 1 a mismatch, 2 a bad manifest or set-up.
int SelfTest(const Options& options, Session& session, const std::vector<ConformScenario>& catalog,
             const std::string& clients_dir);

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_SELF_TEST_H_
