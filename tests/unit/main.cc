// The one doctest main shared by every unit test file under tests/unit/. Logging is off:
// tests assert on what components return and expose, never on log lines.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "common/log.h"

namespace {
const bool kQuiet = (imagine::SetLogLevel(imagine::LogLevel::kOff), true);
}  // namespace
