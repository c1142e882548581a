// The one doctest main shared by every unit test file under tests/unit/. Logging is off:
// tests assert on what components return and expose, never on log lines. The built-in
// providers are registered before any case runs, as the emulator registers them before it
// reads its config: a case that makes a task without naming its provider gets the first one
// (apikley) however the cases are split over processes.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "common/log.h"
#include "providers/provider_catalog.h"

namespace {
const bool kQuiet = (imagine::SetLogLevel(imagine::LogLevel::kOff), true);
const bool kProviders = !imagine::ProviderPlugins().empty();
}  // namespace
