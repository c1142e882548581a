// The doctest main of the integration tests, which start the real imagine-emu binary.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
