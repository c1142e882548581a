#include "callbacks/webhook_faults.h"

#include <doctest/doctest.h>

namespace imagine {
namespace {

struct OkRow {
  const char* spec;
  bool duplicate;
  int64_t delay_ms;
  bool drop;
  bool out_of_order;
  int fail_first;
};

struct ErrorRow {
  const char* spec;
  const char* message;  // the whole expected message
};

}  // namespace

TEST_CASE("ParseWebhookFaults accepts every fault, separators and spacing") {
  const OkRow rows[] = {
      {"", false, 0, false, false, 0},
      {"   ", false, 0, false, false, 0},
      {"duplicate", true, 0, false, false, 0},
      {"delay=5", false, 5000, false, false, 0},
      {"delay=2.5", false, 2500, false, false, 0},
      {"delay=.25", false, 250, false, false, 0},
      {"delay=0", false, 0, false, false, 0},
      {"delay=0.0015", false, 2, false, false, 0},
      {"delay=007", false, 7000, false, false, 0},
      {"drop", false, 0, true, false, 0},
      {"out_of_order", false, 0, false, true, 0},
      {"fail_first=2", false, 0, false, false, 2},
      {"fail_first=0", false, 0, false, false, 0},
      {"duplicate;delay=2.5", true, 2500, false, false, 0},
      {"duplicate,drop", true, 0, true, false, 0},
      {" duplicate ; delay = 2.5 , fail_first = 3 ", true, 2500, false, false, 3},
      {"out_of_order;;duplicate;", true, 0, false, true, 0},  // empty tokens skipped
      {"delay=1;delay=3", false, 3000, false, false, 0},       // last wins
      {"duplicate;delay=1;drop;out_of_order;fail_first=100", true, 1000, true, true, 100},
  };
  for (const OkRow& row : rows) {
    CAPTURE(row.spec);
    StatusOr<WebhookFaults> got = ParseWebhookFaults(row.spec);
    REQUIRE_MESSAGE(got.ok(), got.status().ToString());
    CHECK(got->duplicate == row.duplicate);
    CHECK(got->delay_ms == row.delay_ms);
    CHECK(got->drop == row.drop);
    CHECK(got->out_of_order == row.out_of_order);
    CHECK(got->fail_first == row.fail_first);
  }
}

TEST_CASE("ParseWebhookFaults names the bad token") {
  const ErrorRow rows[] = {
      {"bogus",
       "invalid webhook fault \"bogus\": unknown name (expected duplicate, delay=<seconds>, drop, out_of_order or "
       "fail_first=<n>, separated by ';' or ',')"},
      {"duplicate;Drop",
       "invalid webhook fault \"Drop\": unknown name (expected duplicate, delay=<seconds>, drop, out_of_order or "
       "fail_first=<n>, separated by ';' or ',')"},
      {"duplicate=1", "invalid webhook fault \"duplicate=1\": \"duplicate\" takes no value"},
      {"drop=", "invalid webhook fault \"drop=\": \"drop\" takes no value"},
      {"delay", "invalid webhook fault \"delay\": delay needs a number of seconds >= 0, e.g. delay=2.5"},
      {"delay=", "invalid webhook fault \"delay=\": delay needs a number of seconds >= 0, e.g. delay=2.5"},
      {"delay=abc", "invalid webhook fault \"delay=abc\": delay needs a number of seconds >= 0, e.g. delay=2.5"},
      {"delay=-1", "invalid webhook fault \"delay=-1\": delay needs a number of seconds >= 0, e.g. delay=2.5"},
      {"delay=1e3", "invalid webhook fault \"delay=1e3\": delay needs a number of seconds >= 0, e.g. delay=2.5"},
      {"delay=.", "invalid webhook fault \"delay=.\": delay needs a number of seconds >= 0, e.g. delay=2.5"},
      {"delay=1.2.3", "invalid webhook fault \"delay=1.2.3\": delay needs a number of seconds >= 0, e.g. delay=2.5"},
      {"delay=2592001", "invalid webhook fault \"delay=2592001\": delay must be at most 2592000 seconds (30 days)"},
      {"delay=99999999999999999999",
       "invalid webhook fault \"delay=99999999999999999999\": delay needs a number of seconds >= 0, e.g. delay=2.5"},
      {"fail_first", "invalid webhook fault \"fail_first\": fail_first needs a whole number of attempts >= 0, e.g. "
                     "fail_first=2"},
      {"fail_first=x", "invalid webhook fault \"fail_first=x\": fail_first needs a whole number of attempts >= 0, "
                       "e.g. fail_first=2"},
      {"fail_first=-1", "invalid webhook fault \"fail_first=-1\": fail_first needs a whole number of attempts >= 0, "
                        "e.g. fail_first=2"},
      {"fail_first=1.5", "invalid webhook fault \"fail_first=1.5\": fail_first needs a whole number of attempts >= "
                         "0, e.g. fail_first=2"},
      {"fail_first=101", "invalid webhook fault \"fail_first=101\": fail_first must be at most 100"},
  };
  for (const ErrorRow& row : rows) {
    CAPTURE(row.spec);
    StatusOr<WebhookFaults> got = ParseWebhookFaults(row.spec);
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().code() == Code::kInvalidArgument);
    CHECK(got.status().message() == row.message);
    CHECK(got.status().violation().rule == "webhook_faults");
  }
}

}  // namespace imagine
