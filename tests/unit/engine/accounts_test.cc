#include "engine/accounts.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace imagine {
namespace {

AccountOptions Options() {
  AccountOptions o;
  o.default_profile.credits = 100;
  KeyProfile revoked;
  revoked.revoked = true;
  o.keys["revoked"] = revoked;
  KeyProfile limited;
  limited.allowed_models = std::set<std::string>{"m1"};
  o.keys["limited"] = limited;
  RateLimits apikley;
  apikley.burst_count = 3;
  apikley.burst_window_s = 10;
  apikley.models["m1"] = ModelLimit{2, 4};
  o.provider_limits[InternProvider("apikley")] = apikley;
  return o;
}

Code CodeOf(const StatusOr<Accounts::Ticket>& t) { return t.status().code(); }

}  // namespace

TEST_CASE("Authenticate refuses revoked keys, and unlisted keys only when told to") {
  Accounts a(Options());
  CHECK(a.Authenticate("anyone").ok());
  CHECK(a.Authenticate("revoked").code() == Code::kUnauthenticated);
  AccountOptions strict = Options();
  strict.reject_unlisted_keys = true;
  Accounts s(strict);
  CHECK(s.Authenticate("anyone").code() == Code::kUnauthenticated);
  CHECK(s.Authenticate("limited").ok());
}

TEST_CASE("credits are reserved at creation and refunded when the task fails") {
  Accounts a(Options());
  auto t1 = a.Reserve("k", InternProvider("evolink"), "m", 30, 0);
  REQUIRE(t1.ok());
  a.Activate("k", *t1, 1000, TaskState::kSucceeded);
  auto t2 = a.Reserve("k", InternProvider("evolink"), "m", 30, 0);
  REQUIRE(t2.ok());
  a.Activate("k", *t2, 2000, TaskState::kFailed);
  Balance b = a.BalanceOf("k", 500);
  CHECK(b.remaining == 40);
  CHECK(b.used == 60);
  b = a.BalanceOf("k", 2000);  // task-2 failed at 2000: refunded
  CHECK(b.remaining == 70);
  CHECK(b.used == 30);
  auto t3 = a.Reserve("k", InternProvider("evolink"), "m", 71, 2000);
  CHECK(CodeOf(t3) == Code::kFailedPrecondition);
  CHECK(t3.status().violation().rule == "credits");
  CHECK(a.BalanceOf("k", 2000).remaining == 70);  // a refusal changes nothing
}

TEST_CASE("the burst window counts creations of any model on the clock") {
  Accounts a(Options());
  for (int i = 0; i < 3; ++i) REQUIRE(a.Reserve("k", InternProvider("apikley"), "other", 0, 1000 + i).ok());
  auto over = a.Reserve("k", InternProvider("apikley"), "other", 0, 5000);
  CHECK(CodeOf(over) == Code::kResourceExhausted);
  CHECK(over.status().violation().rule == "burst");
  CHECK(a.Reserve("k", InternProvider("apikley"), "other", 0, 10999).status().code() == Code::kResourceExhausted);
  CHECK(a.Reserve("k", InternProvider("apikley"), "other", 0, 11000).ok());  // the first one left the window
  // Another provider's defaults (none here) do not count Apikley's history.
  CHECK(a.Reserve("k", InternProvider("evolink"), "other", 0, 11000).ok());
}

TEST_CASE("a running task holds a concurrency slot until its finish time") {
  Accounts a(Options());
  auto t1 = a.Reserve("k", InternProvider("apikley"), "m1", 0, 0);
  auto t2 = a.Reserve("k", InternProvider("apikley"), "m1", 0, 0);
  REQUIRE(t1.ok());
  REQUIRE(t2.ok());
  a.Activate("k", *t1, 20'000, TaskState::kSucceeded);
  a.Activate("k", *t2, kNever, TaskState::kSucceeded);  // stuck: never frees its slot
  auto third = a.Reserve("k", InternProvider("apikley"), "m1", 0, 19'999);
  CHECK(third.status().violation().rule == "concurrency");
  CHECK(third.status().message() == "2 concurrent tasks of m1 already running");
  CHECK(a.Reserve("k", InternProvider("apikley"), "m1", 0, 20'000).ok());  // "a" finished
  // Rescheduling the stuck task to end now frees its slot as well.
  CHECK(a.Reschedule("k", "b", t2->id, 20'000, TaskState::kFailed));
  CHECK_FALSE(a.Reschedule("k", "a", t1->id, 30'000, TaskState::kFailed));  // already settled
  CHECK_FALSE(a.Reschedule("k", "b", 0, 20'000, TaskState::kFailed));  // found by id only when restored
}

TEST_CASE("the hourly limit counts creations of one model over a sliding hour") {
  Accounts a(Options());
  for (int i = 0; i < 4; ++i) {
    auto t = a.Reserve("k", InternProvider("apikley"), "m1", 0, i * 20'000);
    REQUIRE(t.ok());
    a.Activate("k", *t, i * 20'000 + 1, TaskState::kSucceeded);
  }
  auto over = a.Reserve("k", InternProvider("apikley"), "m1", 0, 3'600'000 - 1);
  CHECK(over.status().violation().rule == "hourly");
  CHECK(a.Reserve("k", InternProvider("apikley"), "m1", 0, 3'600'000).ok());
}

TEST_CASE("allowed_models, per-key limits and SetProfile") {
  Accounts a(Options());
  auto denied = a.Reserve("limited", InternProvider("apikley"), "m2", 0, 0);
  CHECK(CodeOf(denied) == Code::kPermissionDenied);
  CHECK(denied.status().message() == "this key may not use model m2");
  CHECK(denied.status().violation().value == "m2");  // the provider words it
  KeyProfile tight;
  tight.credits = 5;
  tight.rate_limits = RateLimits{1, 60, {}};
  a.SetProfile("tight", tight, 0);
  CHECK(a.Reserve("tight", InternProvider("apikley"), "m1", 5, 0).ok());
  CHECK(a.Reserve("tight", InternProvider("apikley"), "m1", 0, 1).status().violation().rule == "burst");
  CHECK(a.BalanceOf("tight", 2).remaining == 0);
  a.SetProfile("tight", tight, 2);  // re-applying resets the balance, minus what running tasks hold
  CHECK(a.BalanceOf("tight", 2).remaining == 0);
  CHECK(a.BalanceOf("tight", 2).used == 5);
  CHECK(a.ProfileFor("tight")->credits == 5);
  CHECK(a.ProfileFor("unknown")->credits == 100);
  a.Reset("tight");
  CHECK(a.Reserve("tight", InternProvider("apikley"), "m1", 0, 3).ok());  // history forgotten
}

TEST_CASE("issue 23: a reset key's next account numbers its tickets after the old one's, so an old ticket names nothing") {
  // A reservation keeps no copy of its task's id: a ticket alone must name one reservation of the key for good.
  Accounts a(Options());
  auto old1 = a.Reserve("k", InternProvider("evolink"), "m", 1, 0);
  auto old2 = a.Reserve("k", InternProvider("evolink"), "m", 1, 0);
  REQUIRE(old1.ok());
  REQUIRE(old2.ok());
  a.Activate("k", *old1, kNever, TaskState::kSucceeded);
  a.Reset("k");
  auto fresh = a.Reserve("k", InternProvider("evolink"), "m", 1, 0);
  REQUIRE(fresh.ok());
  CHECK(fresh->id > old2->id);
  a.Activate("k", *fresh, kNever, TaskState::kSucceeded);
  CHECK_FALSE(a.Reschedule("k", "old", old1->id, 5, TaskState::kFailed));  // the old account's ticket
  CHECK_FALSE(a.Reschedule("k", "old", old2->id, 5, TaskState::kFailed));
  CHECK(a.BalanceOf("k", 10).used == 1);  // the new task's charge stands
  a.ResetAll();
  auto after_all = a.Reserve("k", InternProvider("evolink"), "m", 1, 0);
  REQUIRE(after_all.ok());
  CHECK(after_all->id > fresh->id);
}

TEST_CASE("issue 23: a reservation read from a snapshot is found by its task's id until the task takes its ticket") {
  Accounts a(Options());
  const nlohmann::json usage = nlohmann::json::parse(
      R"({"remaining":90,"used":10,"next_ticket":4,"created":{},"recent":[],"active":[)"
      R"({"ticket":2,"task":"x2","counter":"m","price":5.0,"finish":9223372036854775807,"outcome":"succeeded"},)"
      R"({"ticket":3,"task":"x3","counter":"m","price":5.0,"finish":9223372036854775807,"outcome":"succeeded"}]})");
  REQUIRE(a.ImportAccount("k", usage).ok());
  auto exported = [&a] {
    std::map<uint64_t, std::string> tasks;
    a.ExportState(
        100, [](const std::string&, const KeyProfile&) {},
        [&](const std::string&, nlohmann::json u) {
          for (const auto& r : u["active"]) tasks[r["ticket"].get<uint64_t>()] = r["task"].get<std::string>();
        },
        [](const std::string& key, uint64_t ticket) { return key + "/from-the-store-" + std::to_string(ticket); });
    return tasks;
  };
  CHECK(exported() == std::map<uint64_t, std::string>{{2, "x2"}, {3, "x3"}});
  CHECK(a.TakeRestoredTicket("k", "x2") == 2);
  CHECK(a.TakeRestoredTicket("k", "x2") == 0);  // taken: the task carries it now
  CHECK(a.TakeRestoredTicket("other", "x3") == 0);
  CHECK(exported() == std::map<uint64_t, std::string>{{2, "k/from-the-store-2"}, {3, "x3"}});
  CHECK_FALSE(a.Reschedule("k", "x2", 0, 200, TaskState::kFailed));  // by id no more
  CHECK(a.Reschedule("k", "x2", 2, 200, TaskState::kFailed));         // by its ticket
  CHECK(a.Reschedule("k", "x3", 0, 200, TaskState::kFailed));         // not taken yet: by id
  CHECK(a.BalanceOf("k", 200).used == 0);                              // both refunded
  CHECK(a.Reserve("k", InternProvider("evolink"), "m", 1, 200)->id == 4);
}

}  // namespace imagine
