#include "engine/engine.h"

#include <algorithm>
#include <cmath>

namespace imagine {
namespace {
int64_t SecondsToMs(double s) { return static_cast<int64_t>(std::llround(s * 1000.0)); }
}  // namespace

Engine::Engine(EngineOptions options, std::unique_ptr<Clock> clock, AccountOptions accounts,
               std::vector<ScenarioDef> scenario_catalog)
    : options_(std::move(options)),
      clock_(std::move(clock)),
      scheduler_(clock_.get()),
      accounts_(std::move(accounts)),
      scenarios_(std::move(scenario_catalog), options_.seed) {}

Engine::~Engine() { scheduler_.Shutdown(); }

Timeline Engine::PlanTimeline(const StageTiming& timing, double factor, Random& random, int64_t now_ms) const {
  int64_t waiting = SecondsToMs(random.Uniform(timing.waiting_min_s, timing.waiting_max_s) * factor);
  int64_t queuing = SecondsToMs(random.Uniform(timing.queuing_min_s, timing.queuing_max_s) * factor);
  int64_t total = SecondsToMs(random.Uniform(timing.total_min_s, timing.total_max_s) * factor);
  total = std::max(total, waiting + queuing + 1000);
  Timeline t;
  t.created_ms = now_ms;
  t.queuing_ms = now_ms + waiting;
  t.generating_ms = t.queuing_ms + queuing;
  t.finished_ms = now_ms + total;
  t.outcome = TaskState::kSucceeded;
  return t;
}

namespace {

// Applies an armed scenario's lifecycle, query and download effects to a planned task.
void ApplyScenario(const ArmedScenario& armed, Task* task) {
  const ScenarioEffects& e = armed.effects;
  Timeline& t = task->timeline;
  task->scenario = armed.name;
  if (e.stuck) t.finished_ms = kNever;
  if (!e.fail_reason.empty()) {
    t.outcome = TaskState::kFailed;
    task->fail_reason = e.fail_reason;
    task->fail_code = e.fail_code;
    task->fail_message = e.fail_message;
    // The failure lands at the end of the stage it is scripted for.
    if (e.fail_at == TaskState::kWaiting) {
      t.generating_ms = t.finished_ms = t.queuing_ms;
    } else if (e.fail_at == TaskState::kQueuing) {
      t.finished_ms = t.generating_ms;
    }
  }
  task->progress_script = e.progress;
  task->not_ready_polls = e.not_ready_polls;
  task->results_expired = e.expire_results;
}

}  // namespace

StatusOr<Task> Engine::CreateTask(NewTask spec, IdFactory make_id) {
  const int64_t now = clock_->NowMs();
  const double price = spec.model != nullptr ? spec.model->price : 0;
  auto ticket = accounts_.Reserve(spec.owner_key, spec.provider, spec.reported_model, price, now);
  if (!ticket.ok()) return ticket.status();
  const uint64_t n = sequence_.fetch_add(1, std::memory_order_relaxed);
  Random random = Random::Stream(options_.seed, n);

  Task task;
  task.provider = spec.provider;
  task.owner_key = std::move(spec.owner_key);
  task.model = std::move(spec.reported_model);
  task.request_json = std::move(spec.request_json);
  task.callback_url = std::move(spec.callback_url);
  task.output = spec.output;
  task.credits = price;
  const double factor = spec.scenario != nullptr ? spec.scenario->effects.factor : 1.0;
  task.timeline = PlanTimeline(spec.model != nullptr ? spec.model->timing : StageTiming{}, factor, random, now);
  if (spec.scenario != nullptr) ApplyScenario(*spec.scenario, &task);

  for (int attempt = 0; attempt < 8; ++attempt) {
    task.id = make_id(random, now);
    Task copy = task;
    if (store_.Insert(std::move(copy))) {
      accounts_.Activate(task.owner_key, *ticket, task.id, task.timeline.finished_ms, task.timeline.outcome);
      return task;
    }
  }
  accounts_.Activate(task.owner_key, *ticket, "", now, TaskState::kFailed);  // refund
  return Internal("could not allocate a unique task id");
}

bool Engine::ConsumeNotReadyPoll(std::string_view id) {
  bool not_ready = false;
  store_.Update(id, [&not_ready](Task& t) {
    if (t.not_ready_polls > 0) {
      --t.not_ready_polls;
      not_ready = true;
    }
  });
  return not_ready;
}

StatusOr<Task> Engine::FindTask(Provider provider, std::string_view owner_key, std::string_view id) const {
  std::optional<Task> task = store_.Get(id);
  if (!task || task->provider != provider || task->owner_key != owner_key) return NotFound("task not found");
  return std::move(*task);
}

}  // namespace imagine
