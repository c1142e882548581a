#include "engine/engine.h"

#include <algorithm>
#include <cmath>

namespace imagine {
namespace {
int64_t SecondsToMs(double s) { return static_cast<int64_t>(std::llround(s * 1000.0)); }
}  // namespace

Engine::Engine(EngineOptions options, std::unique_ptr<Clock> clock)
    : options_(std::move(options)), clock_(std::move(clock)), scheduler_(clock_.get()) {}

Engine::~Engine() { scheduler_.Shutdown(); }

Timeline Engine::PlanTimeline(const StageTiming& timing, Random& random, int64_t now_ms) const {
  int64_t waiting = SecondsToMs(random.Uniform(timing.waiting_min_s, timing.waiting_max_s));
  int64_t queuing = SecondsToMs(random.Uniform(timing.queuing_min_s, timing.queuing_max_s));
  int64_t total = SecondsToMs(random.Uniform(timing.total_min_s, timing.total_max_s));
  total = std::max(total, waiting + queuing + 1000);
  Timeline t;
  t.created_ms = now_ms;
  t.queuing_ms = now_ms + waiting;
  t.generating_ms = t.queuing_ms + queuing;
  t.finished_ms = now_ms + total;
  t.outcome = TaskState::kSucceeded;
  return t;
}

StatusOr<Task> Engine::CreateTask(NewTask spec, IdFactory make_id) {
  const uint64_t n = sequence_.fetch_add(1, std::memory_order_relaxed);
  Random random = Random::Stream(options_.seed, n);
  const int64_t now = clock_->NowMs();

  Task task;
  task.provider = spec.provider;
  task.owner_key = std::move(spec.owner_key);
  task.model = std::move(spec.reported_model);
  task.request_json = std::move(spec.request_json);
  task.callback_url = std::move(spec.callback_url);
  task.output = spec.output;
  task.credits = spec.model != nullptr ? spec.model->price : 0;
  task.timeline = PlanTimeline(spec.model != nullptr ? spec.model->timing : StageTiming{}, random, now);

  for (int attempt = 0; attempt < 8; ++attempt) {
    task.id = make_id(random, now);
    Task copy = task;
    if (store_.Insert(std::move(copy))) return task;
  }
  return Internal("could not allocate a unique task id");
}

StatusOr<Task> Engine::FindTask(Provider provider, std::string_view owner_key, std::string_view id) const {
  std::optional<Task> task = store_.Get(id);
  if (!task || task->provider != provider || task->owner_key != owner_key) return NotFound("task not found");
  return std::move(*task);
}

}  // namespace imagine
