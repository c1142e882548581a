#include "engine/engine.h"

#include <doctest/doctest.h>

#include <set>

namespace imagine {
namespace {

std::string CountingId(Random& random, int64_t) { return std::to_string(random.Next() % 1000000007ULL); }
std::string ConstantId(Random&, int64_t) { return "always-the-same"; }

struct Fixture {
  explicit Fixture(uint64_t seed = 7) : engine(Options(seed), std::make_unique<VirtualClock>(1'000'000)) {
    model.name = "m";
    model.timing = {1, 1, 2, 2, 10, 20};
    model.price = 3;
  }
  static EngineOptions Options(uint64_t seed) {
    EngineOptions o;
    o.seed = seed;
    return o;
  }
  NewTask Spec(const std::string& key = "k") {
    NewTask t;
    t.owner_key = key;
    t.model = &model;
    t.reported_model = "m";
    return t;
  }
  ModelOptions model;
  Engine engine;
};

}  // namespace

TEST_CASE("CreateTask plans the timeline from the model's timing ranges") {
  Fixture f;
  for (int i = 0; i < 50; ++i) {
    auto t = f.engine.CreateTask(f.Spec(), &CountingId);
    REQUIRE(t.ok());
    const Timeline& tl = t->timeline;
    CHECK(tl.created_ms == 1'000'000);
    CHECK(tl.queuing_ms - tl.created_ms == 1000);
    CHECK(tl.generating_ms - tl.queuing_ms == 2000);
    CHECK(tl.finished_ms - tl.created_ms >= 10'000);
    CHECK(tl.finished_ms - tl.created_ms <= 20'000);
    CHECK(t->credits == 3);
  }
  CHECK(f.engine.task_count() == 50);
}

TEST_CASE("the same seed yields the same ids and durations, another seed differs") {
  auto run = [](uint64_t seed) {
    Fixture f(seed);
    std::string out;
    for (int i = 0; i < 5; ++i) {
      auto t = f.engine.CreateTask(f.Spec(), &CountingId);
      out += t->id + "/" + std::to_string(t->timeline.finished_ms) + " ";
    }
    return out;
  };
  CHECK(run(7) == run(7));
  CHECK(run(7) != run(8));
}

TEST_CASE("FindTask sees only the owner's tasks of the same provider") {
  Fixture f;
  auto t = f.engine.CreateTask(f.Spec("alice"), &CountingId);
  REQUIRE(t.ok());
  CHECK(f.engine.FindTask(InternProvider("apikley"), "alice", t->id).ok());
  CHECK(f.engine.FindTask(InternProvider("apikley"), "bob", t->id).status().code() == Code::kNotFound);
  CHECK(f.engine.FindTask(InternProvider("evolink"), "alice", t->id).status().code() == Code::kNotFound);
  CHECK(f.engine.FindTask(InternProvider("apikley"), "alice", "missing").status().code() == Code::kNotFound);
  CHECK(f.engine.GetTask(t->id).has_value());
}

TEST_CASE("CreateTask gives up with kInternal when ids keep colliding") {
  Fixture f;
  REQUIRE(f.engine.CreateTask(f.Spec(), &ConstantId).ok());
  auto again = f.engine.CreateTask(f.Spec(), &ConstantId);
  CHECK(again.status().code() == Code::kInternal);
  CHECK(f.engine.task_count() == 1);
}

}  // namespace imagine
