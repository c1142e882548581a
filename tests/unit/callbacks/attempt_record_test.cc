// AttemptRecord (server/callbacks/attempt_record.h): the ring buffer's bounds and numbering,
// filtering and clearing, the delivery tally, and the observer called without the lock.
#include "callbacks/attempt_record.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace imagine {
namespace {

CallbackAttempt Attempt(const std::string& task_id) {
  CallbackAttempt a;
  a.task_id = task_id;
  a.outcome = kOutcomeDelivered;
  return a;
}

std::vector<uint64_t> Seqs(const std::vector<CallbackAttempt>& attempts) {
  std::vector<uint64_t> out;
  for (const CallbackAttempt& a : attempts) out.push_back(a.seq);
  return out;
}

}  // namespace

TEST_CASE("AttemptRecord keeps the newest attempts up to its capacity, numbered in recording order") {
  AttemptRecord record(3);
  for (int i = 0; i < 5; ++i) {
    CallbackAttempt a = Attempt("t" + std::to_string(i));
    record.Add(&a);
    CHECK(a.seq == static_cast<uint64_t>(i + 1));  // the caller's copy is numbered too
  }
  std::vector<CallbackAttempt> kept = record.List();
  CHECK(Seqs(kept) == std::vector<uint64_t>{3, 4, 5});
  CHECK(kept.front().task_id == "t2");
  CHECK(Seqs(record.List("t3")) == std::vector<uint64_t>{4});
  CHECK(record.List("t0").empty());  // evicted
  AttemptRecord::Counts c = record.counts();
  CHECK(c.attempts == 5);
  CHECK(c.attempts_evicted == 2);
}

TEST_CASE("AttemptRecord with capacity 0 keeps nothing and counts every attempt as evicted") {
  AttemptRecord record(0);
  CallbackAttempt a = Attempt("t");
  record.Add(&a);
  record.Add(&a);
  CHECK(a.seq == 2);
  CHECK(record.List().empty());
  CHECK(record.counts().attempts == 2);
  CHECK(record.counts().attempts_evicted == 2);
}

TEST_CASE("AttemptRecord::Clear forgets all attempts or those the predicate rejects; numbering goes on") {
  AttemptRecord record(10);
  for (const char* task : {"keep", "drop", "keep", "drop"}) {
    CallbackAttempt a = Attempt(task);
    record.Add(&a);
  }
  record.Clear([](const CallbackAttempt& a) { return a.task_id == "keep"; });
  CHECK(Seqs(record.List()) == std::vector<uint64_t>{1, 3});
  record.Clear();
  CHECK(record.List().empty());
  CallbackAttempt next = Attempt("after");
  record.Add(&next);
  CHECK(next.seq == 5);
  CHECK(record.counts().attempts == 5);
  CHECK(record.counts().attempts_evicted == 0);  // clearing is not evicting
}

TEST_CASE("AttemptRecord tallies how deliveries ended") {
  AttemptRecord record(10);
  for (const char* outcome : {kOutcomeDelivered, kOutcomeDelivered, kOutcomeDropped, kOutcomeFailed,
                              kOutcomeForcedFailure}) {
    record.CountDeliveryEnd(outcome);
  }
  AttemptRecord::Counts c = record.counts();
  CHECK(c.delivered == 2);
  CHECK(c.dropped_by_fault == 1);
  CHECK(c.failed_deliveries == 2);
  CHECK(c.attempts == 0);  // a tally, not an attempt
}

TEST_CASE("AttemptRecord::Notify calls the observer without the lock, and survives one that throws") {
  AttemptRecord record(10);
  CallbackAttempt a = Attempt("t");
  record.Notify(a);  // no observer: nothing happens
  std::vector<std::string> seen;
  size_t listed_inside = 0;
  record.SetObserver([&](const CallbackAttempt& observed) {
    listed_inside = record.List().size();  // would deadlock if Notify held the lock
    seen.push_back(observed.task_id);
  });
  record.Add(&a);
  record.Notify(a);
  CHECK(seen == std::vector<std::string>{"t"});
  CHECK(listed_inside == 1);
  record.SetObserver([](const CallbackAttempt&) { throw std::runtime_error("observer failed"); });
  CHECK_NOTHROW(record.Notify(a));
  record.SetObserver(nullptr);
  CHECK_NOTHROW(record.Notify(a));
  CHECK(seen.size() == 1);
}

}  // namespace imagine
