// FairQueue (server/callbacks/fair_queue.h): admission by fair share, turns between keys,
// the per-key worker cap, idleness and Stop. Single-threaded except where a blocked Take is
// the point.
#include "callbacks/fair_queue.h"

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace imagine {
namespace {

constexpr std::chrono::seconds kWait(60);  // only ends a hang

WorkItem Item(const std::string& key, const std::string& task_id) {
  auto request = std::make_shared<CallbackRequest>();
  request->key = key;
  request->task_id = task_id;
  return WorkItem{CallbackDelivery{std::move(request), 1, 1, 0}};
}

// Takes one item (one must be ready for a key with a worker to spare) and names its task.
std::string TakeTask(FairQueue* q) {
  WorkItem item;
  REQUIRE(q->Take(&item));
  return item.front().request->task_id;
}

}  // namespace

TEST_CASE("PerKeyWorkers is half the workers rounded up, at least one") {
  CHECK(PerKeyWorkers(0) == 1);
  CHECK(PerKeyWorkers(1) == 1);
  CHECK(PerKeyWorkers(2) == 1);
  CHECK(PerKeyWorkers(3) == 2);
  CHECK(PerKeyWorkers(4) == 2);
  CHECK(PerKeyWorkers(5) == 3);
}

TEST_CASE("FairQueue: keys take turns, a key's next item waits behind the other keys") {
  FairQueue q(100, 100);
  for (const char* task : {"a1", "a2", "a3"}) q.Push(Item("a", task));
  q.Push(Item("b", "b1"));
  q.Push(Item("c", "c1"));
  CHECK(q.counts().queued == 5);
  std::vector<std::string> order;
  for (int i = 0; i < 5; ++i) order.push_back(TakeTask(&q));
  CHECK(order == std::vector<std::string>{"a1", "b1", "c1", "a2", "a3"});  // not first come, first served
  CHECK(q.counts().queued == 0);
  CHECK(q.counts().in_flight == 5);
}

TEST_CASE("FairQueue: a key at its worker cap is passed over for the next key until one of its items is done") {
  FairQueue q(100, 4);  // at most 2 items of one key at once
  for (const char* task : {"a1", "a2", "a3", "a4"}) q.Push(Item("a", task));
  q.Push(Item("b", "b1"));
  CHECK(TakeTask(&q) == "a1");
  CHECK(TakeTask(&q) == "b1");
  CHECK(TakeTask(&q) == "a2");  // key a now holds 2 workers
  q.Push(Item("c", "c1"));
  CHECK(TakeTask(&q) == "c1");  // a is first in turn but at its cap
  q.Done("a");
  CHECK(TakeTask(&q) == "a3");
  FairQueue::Counts c = q.counts();
  CHECK(c.in_flight == 4);
  CHECK(c.queued == 1);
}

TEST_CASE("FairQueue: past capacity only a key below its fair share gets a slot, never past twice the capacity") {
  FairQueue q(4, 4);
  auto admit = [&](const std::string& key) { return q.Admit(key).verdict == FairQueue::Verdict::kAdmitted; };
  for (int i = 0; i < 4; ++i) CHECK(admit("a"));  // below capacity: any key
  FairQueue::Admission full = q.Admit("a");        // a holds 4 of 4, its share alone
  CHECK(full.verdict == FairQueue::Verdict::kFull);
  CHECK(full.refused == 1);
  CHECK(full.pending == 4);
  CHECK(admit("b"));  // share 4 / 2 keys = 2
  CHECK(admit("b"));
  CHECK_FALSE(admit("b"));
  CHECK(admit("c"));  // share 4 / 3 = 1
  CHECK_FALSE(admit("c"));
  CHECK(admit("d"));                                // share 4 / 4 = 1; now 8 pending = 2 x capacity
  CHECK(q.Admit("e").pending == 8);
  CHECK_FALSE(admit("e"));                          // the hard bound
  for (int i = 0; i < 4; ++i) q.Release("a");
  CHECK(q.counts().pending == 4);
  CHECK(admit("e"));                                // the slots a freed are anyone's again
  q.Release("nobody");                              // unknown key: ignored
  FairQueue::Counts c = q.counts();
  CHECK(c.pending == 5);
  CHECK(c.submitted == 9);
  CHECK(c.rejected_queue_full == 5);
  CHECK(c.rejected_shut_down == 0);
}

TEST_CASE("FairQueue: however many keys share the slots, at most twice the capacity is pending") {
  FairQueue q(10, 4);
  auto admit_all = [&](const std::string& key) {
    int admitted = 0;
    while (q.Admit(key).verdict == FairQueue::Verdict::kAdmitted) ++admitted;
    return admitted;
  };
  CHECK(admit_all("a") == 10);  // capacity, alone
  CHECK(admit_all("b") == 5);   // share 10 / 2
  CHECK(admit_all("c") == 3);   // share 10 / 3
  CHECK(admit_all("d") == 2);   // share 10 / 4, and now 20 pending
  CHECK(q.counts().pending == 20);
  CHECK(admit_all("e") == 0);   // its share (10 / 5 = 2) is not reached, the bound is
  CHECK(q.counts().pending == 20);
}

TEST_CASE("FairQueue: WaitIdle holds while an item is ready or taken") {
  FairQueue q(10, 2);
  CHECK(q.WaitIdle(std::chrono::milliseconds(0)));
  q.Push(Item("a", "a1"));
  CHECK_FALSE(q.WaitIdle(std::chrono::milliseconds(0)));
  CHECK(TakeTask(&q) == "a1");
  CHECK_FALSE(q.WaitIdle(std::chrono::milliseconds(0)));
  q.Done("a");
  CHECK(q.WaitIdle(std::chrono::milliseconds(0)));
}

TEST_CASE("FairQueue: Stop abandons the pending submissions, refuses new ones and wakes a waiting worker") {
  FairQueue q(10, 2);
  REQUIRE(q.Admit("a").verdict == FairQueue::Verdict::kAdmitted);
  REQUIRE(q.Admit("b").verdict == FairQueue::Verdict::kAdmitted);
  q.Push(Item("a", "a1"));
  q.Push(Item("b", "b1"));
  CHECK(TakeTask(&q) == "a1");
  CHECK(TakeTask(&q) == "b1");
  std::future<bool> waiting = std::async(std::launch::async, [&q] {
    WorkItem item;
    return q.Take(&item);  // nothing ready: blocks until Stop
  });
  q.Push(Item("a", "a2"));  // not for the waiting worker: key a is at its cap (1 of 2 workers)
  const size_t abandoned = q.Stop();
  REQUIRE(waiting.wait_for(kWait) == std::future_status::ready);
  CHECK(abandoned == 2);
  FairQueue::Counts c = q.counts();
  CHECK(c.abandoned == 2);
  CHECK(c.pending == 0);
  CHECK(c.queued == 0);
  FairQueue::Admission refused = q.Admit("c");
  CHECK(refused.verdict == FairQueue::Verdict::kStopped);
  CHECK(refused.refused == 1);
  q.Push(Item("c", "c1"));  // dropped
  q.Release("a");           // Stop freed it already: no underflow
  CHECK(q.counts().queued == 0);
  CHECK(q.counts().pending == 0);
  WorkItem item;
  CHECK_FALSE(q.Take(&item));
  CHECK_FALSE(waiting.get());
  CHECK_FALSE(q.WaitIdle(std::chrono::milliseconds(0)));  // a1 and b1 are still being sent
  q.Done("a");
  q.Done("b");
  CHECK(q.WaitIdle(std::chrono::milliseconds(0)));
  CHECK(q.Stop() == 0);  // idempotent
  CHECK(q.counts().abandoned == 2);
}

}  // namespace imagine
