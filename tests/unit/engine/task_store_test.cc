#include "engine/task_store.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "engine/journal.h"

namespace imagine {
namespace {

Task Make(const std::string& id, int64_t finished_ms, const std::string& key = "key-1") {
  Task t;
  t.id = id;
  t.owner_key = key;
  t.model = "grok-imagine/text-to-video";
  t.request_json = R"({"prompt":"x"})";
  t.timeline.created_ms = 0;
  t.timeline.queuing_ms = 1;
  t.timeline.generating_ms = 2;
  t.timeline.finished_ms = finished_ms;
  return t;
}

TEST_CASE("a stored task reads back field for field, rare fields included") {
  TaskStore store;
  Task t = Make("id-1", 100);
  t.provider = InternProvider("evolink");
  t.callback_url = "https://example.com/hook";
  t.callback_faults = "duplicate";
  t.output = OutputSpec{MediaKind::kImage, 6, 720, 10, true};
  t.credits = 2.5;
  t.fail_reason = "generation_failed";
  t.fail_code = "501";
  t.fail_message = "no";
  t.scenario = "slow";
  t.progress_script = {10, 50};
  t.not_ready_polls = 2;
  t.results_expired = true;
  t.notified = TaskState::kQueuing;
  t.watch_timer = 9;
  REQUIRE(store.Insert(t, 0) == TaskStore::InsertResult::kInserted);
  std::optional<Task> back = store.Get("id-1");
  REQUIRE(back);
  CHECK(back->id == t.id);
  CHECK(back->provider == t.provider);
  CHECK(back->owner_key == t.owner_key);
  CHECK(back->model == t.model);
  CHECK(back->request_json == t.request_json);
  CHECK(back->callback_url == t.callback_url);
  CHECK(back->callback_faults == t.callback_faults);
  CHECK(back->output.kind == MediaKind::kImage);
  CHECK(back->output.count == 6);
  CHECK(back->output.quality_p == 720);
  CHECK(back->output.duration_s == 10);
  CHECK(back->output.upscaled);
  CHECK(back->credits == 2.5);
  CHECK(back->fail_reason == "generation_failed");
  CHECK(back->fail_code == "501");
  CHECK(back->fail_message == "no");
  CHECK(back->scenario == "slow");
  CHECK(back->progress_script == std::vector<int>{10, 50});
  CHECK(back->not_ready_polls == 2);
  CHECK(back->results_expired);
  CHECK(back->notified == TaskState::kQueuing);
  CHECK(back->watch_timer == 9);
  CHECK(store.Insert(t, 0) == TaskStore::InsertResult::kDuplicate);
  // Update writes back what the function changed, and clearing rare fields keeps the rest.
  CHECK(store.Update("id-1", [](Task& x) {
    x.fail_reason.clear();
    x.fail_code.clear();
    x.fail_message.clear();
    x.scenario.clear();
    x.progress_script.clear();
    x.not_ready_polls = 0;
    x.results_expired = false;
    x.timeline.finished_ms = 50;
  }));
  back = store.Get("id-1");
  CHECK(back->fail_reason.empty());
  CHECK(back->timeline.finished_ms == 50);
  CHECK(back->callback_url == "https://example.com/hook");
  CHECK_FALSE(store.Update("nope", [](Task&) {}));
}

TEST_CASE("the bound: the earliest finished goes first, running and unreported tasks stay, full refuses") {
  TaskStore store(3);
  REQUIRE(store.Insert(Make("a", 30), 0) == TaskStore::InsertResult::kInserted);
  REQUIRE(store.Insert(Make("b", 10), 0) == TaskStore::InsertResult::kInserted);
  REQUIRE(store.Insert(Make("c", kNever), 0) == TaskStore::InsertResult::kInserted);
  CHECK(store.MakeRoom(5, 0) == TaskStore::InsertResult::kFull);  // nothing has finished at 5
  CHECK(store.Insert(Make("d", 40), 5) == TaskStore::InsertResult::kFull);
  CHECK(store.size() == 3);
  CHECK(store.Insert(Make("d", 40), 35) == TaskStore::InsertResult::kInserted);
  CHECK_FALSE(store.Get("b"));  // finished at 10, before a (30)
  CHECK(store.Get("a"));
  CHECK(store.evicted() == 1);
  // A task whose last state report is still pending (a timer set) is not evicted.
  store.ArmWatch("a", [](uint64_t, uint64_t) { return uint64_t{77}; });
  CHECK(store.Insert(Make("e", 50), 36) == TaskStore::InsertResult::kFull);
  store.ArmWatch("a", [](uint64_t, uint64_t previous) { CHECK(previous == 77); return uint64_t{0}; });
  CHECK(store.Insert(Make("e", 50), 36) == TaskStore::InsertResult::kInserted);
  CHECK_FALSE(store.Get("a"));
  // A stuck task becomes evictable once it is given an end.
  store.Update("c", [](Task& t) { t.timeline.finished_ms = 36; });
  CHECK(store.Insert(Make("f", 60), 37) == TaskStore::InsertResult::kInserted);
  CHECK_FALSE(store.Get("c"));
  CHECK(store.evicted() == 3);
  CHECK(store.size() == 3);
}

TEST_CASE("counters and the newest-first visit follow inserts, updates and removals") {
  TaskStore store;
  for (int i = 0; i < 5; ++i) store.Insert(Make("t" + std::to_string(i), 10, i % 2 ? "odd" : "even"), 0);
  store.Update("t1", [](Task& t) { t.notified = TaskState::kSucceeded; });
  auto counts = store.CountByNotified();
  CHECK(counts[0][static_cast<size_t>(TaskState::kWaiting)] == 4);
  CHECK(counts[0][static_cast<size_t>(TaskState::kSucceeded)] == 1);
  CHECK(store.CountOfKey("even") == 3);
  CHECK(store.CountOfKey("odd") == 2);
  CHECK(store.CountOfModel("grok-imagine/text-to-video") == 5);
  CHECK(store.RemoveIf([](const TaskView& t, uint64_t) { return t.owner_key == "odd"; }) == 2);
  CHECK(store.CountOfKey("odd") == 0);
  CHECK(store.CountByNotified()[0][static_cast<size_t>(TaskState::kSucceeded)] == 0);
  std::vector<std::string> order;
  store.VisitNewestFirst([&](const TaskView& v) {
    order.emplace_back(v.id);
    return true;
  });
  CHECK(order == std::vector<std::string>{"t4", "t2", "t0"});
}

TEST_CASE("journal: headers are cut like bodies, and the bytes held stay under max_bytes") {
  JournalOptions o;
  o.capacity = 1000;
  o.max_body_bytes = 1024;
  o.max_bytes = 64 * 1024;
  Journal journal(o);
  for (int i = 0; i < 100; ++i) {
    JournalEntry e;
    e.path = "/v1/tasks/x";
    e.key = "k";
    for (int h = 0; h < 40; ++h) e.request_headers.emplace_back("x-h" + std::to_string(h), std::string(100000, 'v'));
    e.request_body = std::string(100000, 'b');
    journal.Append(std::move(e));
  }
  CHECK(journal.bytes() <= o.max_bytes);
  CHECK(journal.size() < 100);
  CHECK(journal.dropped() == 100 - journal.size());
  std::vector<JournalEntry> got = journal.Query(JournalFilter{}, nullptr);
  REQUIRE(!got.empty());
  size_t header_bytes = 0;
  for (const auto& [k, v] : got.back().request_headers) header_bytes += k.size() + v.size();
  CHECK(header_bytes < 1200);  // 1024 and the notes
  CHECK(got.back().request_headers.back().second == "[39 more headers left out]");
  CHECK(got.back().path == "/v1/tasks/x");
  CHECK(got.back().request_body.size() < 1100);
  journal.Clear("k");
  CHECK(journal.bytes() == 0);
}

}  // namespace
}  // namespace imagine

namespace imagine {
namespace {

TEST_CASE("issue 22: the store is bounded in bytes too, and counts what it holds exactly") {
  TaskStore store(1000, 10'000);
  Task a = Make("a", 100);
  a.request_json = std::string(4000, 'a');
  Task b = Make("b", 200);
  b.request_json = std::string(4000, 'b');
  REQUIRE(store.Insert(a, 0) == TaskStore::InsertResult::kInserted);
  CHECK(store.bytes() == TaskStore::FootprintOf(a));
  REQUIRE(store.Insert(b, 0) == TaskStore::InsertResult::kInserted);
  CHECK(store.bytes() == TaskStore::FootprintOf(a) + TaskStore::FootprintOf(b));
  Task c = Make("c", 300);
  c.request_json = std::string(4000, 'c');
  // Both running at 50: no room for c's bytes, and nothing was stored or counted.
  CHECK(store.MakeRoom(50, TaskStore::FootprintOf(c)) == TaskStore::InsertResult::kFullBytes);
  CHECK(store.Insert(c, 50) == TaskStore::InsertResult::kFullBytes);
  CHECK(store.size() == 2);
  CHECK(store.bytes() == TaskStore::FootprintOf(a) + TaskStore::FootprintOf(b));
  // At 150 a has finished: it goes for c's bytes, counted as evicted for bytes.
  REQUIRE(store.Insert(c, 150) == TaskStore::InsertResult::kInserted);
  CHECK_FALSE(store.Get("a"));
  CHECK(store.evicted() == 1);
  CHECK(store.evicted_for_bytes() == 1);
  CHECK(store.bytes() == TaskStore::FootprintOf(b) + TaskStore::FootprintOf(c));
  // Failure words change the count; removal gives every byte back.
  REQUIRE(store.Update("b", [](Task& t) { t.fail_message = std::string(100, 'f'); }));
  CHECK(store.bytes() == TaskStore::FootprintOf(*store.Get("b")) + TaskStore::FootprintOf(c));
  REQUIRE(store.Remove("b"));
  REQUIRE(store.Remove("c"));
  CHECK(store.bytes() == 0);
  // One task larger than the whole bound never fits.
  Task huge = Make("huge", 100);
  huge.request_json = std::string(20'000, 'h');
  CHECK(store.Insert(huge, 0) == TaskStore::InsertResult::kFullBytes);
  CHECK(store.size() == 0);
  CHECK(store.bytes() == 0);
}

}  // namespace
TEST_CASE("RemoveIf visits every slot of shards holding thousands of tasks, and gives each its watch timer") {
  TaskStore store(100'000);
  const int kTasks = 40'000;  // ~625 per shard: more than one 256-slot hold in each
  for (int i = 0; i < kTasks; ++i) {
    Task t = Make("t" + std::to_string(i), 10, i % 3 == 0 ? "gone" : "kept");
    t.watch_timer = static_cast<uint64_t>(i) + 1;
    REQUIRE(store.Insert(std::move(t), 0) == TaskStore::InsertResult::kInserted);
  }
  uint64_t timers = 0;
  const size_t removed = store.RemoveIf([&](const TaskView& t, uint64_t watch_timer) {
    if (t.owner_key != "gone") return false;
    timers += watch_timer;
    return true;
  });
  uint64_t expected_timers = 0;
  for (int i = 0; i < kTasks; i += 3) expected_timers += static_cast<uint64_t>(i) + 1;
  CHECK(removed == static_cast<size_t>((kTasks + 2) / 3));
  CHECK(timers == expected_timers);
  CHECK(store.CountOfKey("gone") == 0);
  CHECK(store.CountOfKey("kept") == kTasks - removed);
  CHECK(store.size() == kTasks - removed);
  CHECK_FALSE(store.Get("t0"));
  CHECK(store.Get("t1"));
}

TEST_CASE("insertion order survives a removal of most tasks and the step-by-step compaction that follows") {
  TaskStore store(100'000);
  std::vector<std::string> live;  // expected, oldest first
  for (int i = 0; i < 30'000; ++i) {
    const std::string id = "a" + std::to_string(i);
    REQUIRE(store.Insert(Make(id, 10, i % 4 == 0 ? "kept" : "gone"), 0) == TaskStore::InsertResult::kInserted);
    if (i % 4 == 0) live.push_back(id);
  }
  CHECK(store.RemoveIf([](const TaskView& t, uint64_t) { return t.owner_key == "gone"; }) == 22'500);
  // Inserts after the removal each run a step of the rebuild (512 entries), some removals too.
  for (int i = 0; i < 2'000; ++i) {
    const std::string id = "b" + std::to_string(i);
    REQUIRE(store.Insert(Make(id, 10, "kept"), 0) == TaskStore::InsertResult::kInserted);
    live.push_back(id);
    if (i % 100 == 0) {
      const std::string gone = live[static_cast<size_t>(i) / 10];
      REQUIRE(store.Remove(gone));
      live.erase(live.begin() + i / 10);
    }
  }
  std::vector<std::string> oldest_first;
  store.ForEachOldestFirst([&](const Task& t) { oldest_first.push_back(t.id); });
  CHECK(oldest_first == live);
  std::vector<std::string> newest_first;
  store.VisitNewestFirst([&](const TaskView& v) {
    newest_first.emplace_back(v.id);
    return true;
  });
  CHECK(std::equal(newest_first.begin(), newest_first.end(), live.rbegin(), live.rend()));
  CHECK(store.size() == live.size());
}

}  // namespace imagine
