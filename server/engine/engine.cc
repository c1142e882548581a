#include "engine/engine.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "engine/state_records.h"

namespace imagine {
namespace {
int64_t SecondsToMs(double s) { return static_cast<int64_t>(std::llround(s * 1000.0)); }
}  // namespace

Engine::Engine(EngineOptions options, std::unique_ptr<Clock> clock, AccountOptions accounts,
               std::vector<ScenarioDef> scenario_catalog)
    : options_(std::move(options)),
      clock_(std::move(clock)),
      scheduler_(clock_.get()),
      store_(options_.max_stored_tasks, options_.max_stored_bytes),
      configured_accounts_(std::move(accounts)),
      accounts_(configured_accounts_),
      scenarios_(std::move(scenario_catalog), options_.seed) {
  scheduler_.SetLane([this](uint64_t handle) { return ReportTransitionsOf(handle); });  // a running task's next state report (ArmWatch)
  store_.SetEvictionListener([this](std::string_view id) {
    if (state_log_ != nullptr) LogRecord({{"t", "evict"}, {"id", id}});  // under CreateTask's hold
  });
}

Engine::~Engine() { scheduler_.Shutdown(); }

Timeline Engine::PlanTimeline(const StageTiming& timing, double factor, Random& random, int64_t now_ms,
                              size_t prompt_chars) const {
  int64_t waiting = SecondsToMs(random.Uniform(timing.waiting_min_s, timing.waiting_max_s) * factor);
  int64_t queuing = SecondsToMs(random.Uniform(timing.queuing_min_s, timing.queuing_max_s) * factor);
  const bool complex = timing.complex_over_chars > 0 && prompt_chars > static_cast<size_t>(timing.complex_over_chars);
  int64_t total = SecondsToMs((complex ? random.Uniform(timing.complex_total_min_s, timing.complex_total_max_s)
                                       : random.Uniform(timing.total_min_s, timing.total_max_s)) *
                              factor);
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

StatusOr<Task> Engine::CreateTask(NewTask spec, const IdFactory& make_id) {
  KeyContext key = accounts_.Lookup(spec.owner_key);
  return CreateTask(std::move(spec), make_id, key, clock_->NowMs());
}

StatusOr<Task> Engine::CreateTask(NewTask spec, const IdFactory& make_id, KeyContext& key, int64_t now_ms) {
  const int64_t now = now_ms;
  const double price = spec.model != nullptr ? spec.model->price : 0;
  auto hold = HoldForChange();
  // The stored task's strings, its id not made yet: at most 64 bytes in every id format.
  const size_t footprint = StoredTask::kParts * 4 + 64 + spec.request_json.size() + spec.callback_url.size() +
                           spec.callback_faults.size();
  if (auto room = store_.MakeRoom(now, footprint); room != TaskStore::InsertResult::kInserted) {
    return StoreFull(room, footprint);
  }
  auto ticket = accounts_.Reserve(key, spec.provider, spec.reported_model, price, now);
  if (!ticket.ok()) return ticket.status();
  const uint64_t n = sequence_.fetch_add(1, std::memory_order_relaxed);
  Random random = Random::Stream(options_.seed, n);

  Task task;
  task.provider = spec.provider;
  task.owner_key = std::move(spec.owner_key);
  task.model = std::move(spec.reported_model);
  task.request_json = std::move(spec.request_json);
  task.callback_url = std::move(spec.callback_url);
  task.callback_faults = std::move(spec.callback_faults);
  task.output = spec.output;
  task.credits = price;
  const double factor = spec.scenario != nullptr ? spec.scenario->effects.factor : 1.0;
  task.timeline =
      PlanTimeline(spec.model != nullptr ? spec.model->timing : StageTiming{}, factor, random, now, spec.prompt_chars);
  if (spec.scenario != nullptr) ApplyScenario(*spec.scenario, &task);
  if (!spec.input_failure.empty() && task.timeline.outcome != TaskState::kFailed) {
    task.timeline.outcome = TaskState::kFailed;  // the provider fetched the image while queuing
    task.timeline.finished_ms = task.timeline.generating_ms;
    task.fail_reason = std::move(spec.input_failure);
  }

  task.ticket = ticket->id;
  for (int attempt = 0; attempt < 8; ++attempt) {
    task.id = make_id(random, now);
    Task copy = task;
    const TaskStore::InsertResult inserted = store_.Insert(std::move(copy), now);
    if (inserted == TaskStore::InsertResult::kFull || inserted == TaskStore::InsertResult::kFullBytes) {
      accounts_.Activate(task.owner_key, *ticket, now, TaskState::kFailed);  // refund
      return StoreFull(inserted, TaskStore::FootprintOf(task));
    }
    if (inserted == TaskStore::InsertResult::kInserted) {
      accounts_.Activate(task.owner_key, *ticket, task.timeline.finished_ms, task.timeline.outcome);
      uint64_t position = 0;
      if (state_log_ != nullptr) {
        nlohmann::json record = {{"t", "task"}, {"seq", n}, {"task", TaskToStateJson(task)}};
        record["charge"] = ChargeToStateJson(*ticket);
        if (spec.scenario != nullptr && spec.scenario->rule_id != 0) record["rule"] = spec.scenario->rule_id;
        if (spec.scenario != nullptr && spec.scenario->from_chaos) record["chaos_draws"] = scenarios_.chaos_draws() + 1;
        Status logged = WriteChange(record, &position);
        if (!logged.ok()) {  // not kept, so not answered: undo the insert and the charge
          store_.Remove(task.id);
          accounts_.Reschedule(task.owner_key, task.id, task.ticket, now, TaskState::kFailed);
          return logged;
        }
      }
      if (spec.scenario != nullptr) scenarios_.Commit(*spec.scenario);
      if (hold.owns_lock()) hold.unlock();
      SyncLog(position);
      if (watching()) {
        RecordEntered(task, TaskState::kWaiting, now);
        ArmWatch(task);
      }
      return task;
    }
  }
  accounts_.Activate(task.owner_key, *ticket, now, TaskState::kFailed);  // refund
  return Internal("could not allocate a unique task id");
}

Status Engine::StoreFull(TaskStore::InsertResult why, size_t task_bytes) const {
  std::string message;
  if (why == TaskStore::InsertResult::kFull) {
    message = "the emulator keeps at most " + std::to_string(store_.max_stored()) +
              " tasks (tasks.max_stored) and every one of them is still running";
  } else if (task_bytes > store_.max_bytes()) {
    message = "this task's request and strings (" + std::to_string(task_bytes) + " bytes) are larger than the " +
              std::to_string(store_.max_bytes()) + " bytes the emulator keeps for all tasks (tasks.max_stored_bytes)";
  } else {
    message = "the emulator keeps at most " + std::to_string(store_.max_bytes()) +
              " bytes of tasks (tasks.max_stored_bytes) and the stored tasks that hold them are still running";
  }
  return Status(Code::kResourceExhausted, message, Violation{"", "store_full", ""});
}

void Engine::RecordEntered(const Task& task, TaskState state, int64_t at_ms) {
  entered_[task.provider.index()][static_cast<size_t>(state)].fetch_add(1, std::memory_order_relaxed);
  if (journal_ != nullptr) {
    JournalEntryView e;  // views of the task's strings: packed once, not copied first
    e.kind = JournalEntry::Kind::kState;
    e.at_ms = at_ms;
    e.wall_ms = WallNowMs();
    e.task_id = task.id;
    e.key = task.owner_key;
    e.provider = ProviderName(task.provider);
    e.scenario = task.scenario;
    std::string detail = "{\"state\":";  // {"state":…,"model":…[,"reason":…]}, built without a json tree
    AppendJsonString(&detail, TaskStateName(state));
    detail += ",\"model\":";
    AppendJsonString(&detail, task.model);
    if (state == TaskState::kFailed) {
      detail += ",\"reason\":";
      AppendJsonString(&detail, task.fail_reason);
    }
    detail += '}';
    e.detail_json = detail;
    journal_->Append(e);
  }
  if (IsTerminal(state) && observer_ != nullptr) observer_->OnTaskFinished(task, at_ms);
}

std::array<uint64_t, kTaskStateCount> Engine::StatesEntered(Provider provider) const {
  std::array<uint64_t, kTaskStateCount> out{};
  for (size_t s = 0; s < kTaskStateCount; ++s) {
    out[s] = entered_[provider.index()][s].load(std::memory_order_relaxed);
  }
  return out;
}

void Engine::ArmWatch(const Task& task) {
  const int64_t next = task.timeline.NextBoundaryAfter(task.notified);
  if (next == kNever || !watching()) return;
  store_.ArmWatch(task.id, [&](uint64_t handle, uint64_t previous) {
    if (previous != 0) scheduler_.Cancel(previous);  // armed meanwhile by another path (a change, a create)
    return scheduler_.ScheduleLaneAt(next, handle);
  });
}

void Engine::ReportTransitions(const std::string& id) { ReportTransitionsOf(std::string_view(id)); }

template <typename Where>
bool Engine::ReportTransitionsOf(Where where) {
  auto hold = HoldForChange();
  const int64_t now = clock_->NowMs();
  StateSteps entered;
  // The timer firing now, or one a change armed meanwhile, is cancelled so that the next
  // report leaves one chain (Cancel of the firing timer is a no-op). A timer firing (by
  // handle) arms the next one in the same hold of the task's shard, with no second lookup:
  // only the thread firing it could fire that one, after this returns. A change's report (by
  // id, on a request thread) arms it only after its states are logged and journaled below,
  // or the timer thread could report the task's later states first.
  constexpr bool kFiring = std::is_same_v<Where, uint64_t>;
  const auto cancel = [this](uint64_t timer) { scheduler_.Cancel(timer); };
  std::optional<Task> task;
  if constexpr (kFiring) {
    const TaskStore::Rearm rearm = [this](uint64_t handle, int64_t due_ms) {
      return scheduler_.ScheduleLaneAt(due_ms, handle);
    };
    task = store_.ReportStates(where, now, cancel, watching() ? &rearm : nullptr, &entered);
  } else {
    task = store_.ReportStates(where, now, cancel, &entered);
  }
  if (state_log_ != nullptr && task && !entered.empty()) {
    LogRecord({{"t", "seen"}, {"id", task->id}, {"state", TaskStateName(task->notified)}});
  }
  if (hold.owns_lock()) hold.unlock();
  if (!task) return false;
  if (!watching()) return true;
  for (const auto& [state, at] : entered) RecordEntered(*task, state, at);
  if (!kFiring) ArmWatch(*task);
  return true;
}

StatusOr<Task> Engine::ChangeRunningTask(std::string_view id, const std::function<void(Task&, int64_t now)>& change) {
  auto hold = HoldForChange();
  const int64_t now = clock_->NowMs();
  bool found = false;
  bool terminal = false;
  Task before;
  Task changed;
  store_.Update(id, [&](Task& t) {
    found = true;
    if (IsTerminal(t.timeline.StateAt(now))) {
      terminal = true;
      return;
    }
    before = t;
    change(t, now);
    // A timer that is firing cannot be cancelled: the record keeps its id until that report
    // clears it, so that a reset meanwhile forgets it (Scheduler::Forget counts it right) and
    // eviction does not take the task for one whose last state was reported.
    if (t.watch_timer != 0 && scheduler_.Cancel(t.watch_timer)) t.watch_timer = 0;
    changed = t;
  });
  if (!found) return NotFound("no task " + std::string(id));
  if (terminal) return Status(Code::kFailedPrecondition, "task " + std::string(id) + " has already finished");
  accounts_.Reschedule(changed.owner_key, changed.id, changed.ticket, changed.timeline.finished_ms,
                       changed.timeline.outcome);
  Status logged = LogAndRelease({{"t", "update"}, {"task", TaskToStateJson(changed)}}, hold, [&] {
    store_.Update(id, [&](Task& t) {  // what the change set, back as it was
      t.timeline = before.timeline;
      t.fail_reason = before.fail_reason;
      t.fail_code = before.fail_code;
      t.fail_message = before.fail_message;
    });
    accounts_.Reschedule(before.owner_key, before.id, before.ticket, before.timeline.finished_ms,
                         before.timeline.outcome);
  });
  if (!logged.ok()) {
    if (watching()) ArmWatch(before);  // its watch was cancelled with the change
    return logged;
  }
  if (watching()) ReportTransitions(changed.id);
  std::optional<Task> now_stored = store_.Get(changed.id);
  if (!now_stored) return NotFound("no task " + std::string(id) + " (removed meanwhile by a reset)");
  return *now_stored;
}

namespace {
// Ends a timeline at `now`: stages not yet reached are skipped.
void EndNow(Timeline& t, int64_t now, TaskState outcome) {
  t.queuing_ms = std::min(t.queuing_ms, now);
  t.generating_ms = std::min(t.generating_ms, now);
  t.finished_ms = now;
  t.outcome = outcome;
}
}  // namespace

StatusOr<Task> Engine::CompleteTask(std::string_view id) {
  return ChangeRunningTask(id, [](Task& t, int64_t now) {
    EndNow(t.timeline, now, TaskState::kSucceeded);
    t.fail_reason.clear();
    t.fail_code.clear();
    t.fail_message.clear();
  });
}

StatusOr<Task> Engine::FailTask(std::string_view id, std::string reason, std::string code, std::string message) {
  return ChangeRunningTask(id, [&](Task& t, int64_t now) {
    EndNow(t.timeline, now, TaskState::kFailed);
    t.fail_reason = reason.empty() ? "generation_failed" : reason;
    t.fail_code = code;
    t.fail_message = message;
  });
}

StatusOr<Task> Engine::CancelTask(std::string_view id) { return FailTask(id, "request_cancelled", "", ""); }

StatusOr<Task> Engine::AdvanceTask(std::string_view id) {
  return ChangeRunningTask(id, [](Task& t, int64_t now) {
    Timeline& tl = t.timeline;
    switch (tl.StateAt(now)) {
      case TaskState::kWaiting:
        tl.queuing_ms = now;
        tl.generating_ms = std::max(tl.generating_ms, now + 1);
        tl.finished_ms = std::max(tl.finished_ms, now + 2);
        break;
      case TaskState::kQueuing:
        tl.generating_ms = now;
        tl.finished_ms = std::max(tl.finished_ms, now + 1);
        break;
      default:
        tl.finished_ms = now;  // a stuck task ends with its planned outcome
        break;
    }
  });
}

std::vector<Task> Engine::ListTasks(const TaskFilter& f, size_t* total) const {
  const int64_t now = clock_->NowMs();
  // The total from counters where they answer it; otherwise every match is counted.
  std::optional<size_t> counted;
  if (f.key.empty() && f.model.empty() && (!f.state || watching())) {
    if (!f.provider && !f.state) {
      counted = store_.size();
    } else {
      const auto by_state = store_.CountByNotified();
      size_t n = 0;
      for (size_t p = 0; p < kMaxProviders; ++p) {
        if (f.provider && f.provider->index() != p) continue;
        for (size_t st = 0; st < kTaskStateCount; ++st) {
          if (!f.state || static_cast<size_t>(*f.state) == st) n += by_state[p][st];
        }
      }
      counted = n;
    }
  } else if (!f.key.empty() && f.model.empty() && !f.provider && !f.state) {
    counted = store_.CountOfKey(f.key);
  } else if (f.key.empty() && !f.model.empty() && !f.provider && !f.state) {
    counted = store_.CountOfModel(f.model);
  }
  std::vector<std::string> ids;
  size_t matched = 0;
  if (counted && *counted <= f.offset) {
    if (total != nullptr) *total = *counted;
    return {};
  }
  store_.VisitNewestFirst([&](const TaskView& t) {
    if (f.provider && t.provider != *f.provider) return true;
    if (!f.key.empty() && t.owner_key != f.key) return true;
    if (!f.model.empty() && t.model != f.model) return true;
    if (f.state && t.timeline.StateAt(now) != *f.state) return true;
    if (matched >= f.offset && ids.size() < f.limit) ids.emplace_back(t.id);
    ++matched;
    // With a counted total, the visit ends once the page is full or every match is seen.
    return !counted || (ids.size() < f.limit && matched < *counted);
  });
  if (total != nullptr) *total = counted ? std::max(*counted, matched) : matched;
  std::vector<Task> page;
  for (const std::string& id : ids) {
    if (auto t = store_.Get(id)) page.push_back(std::move(*t));
  }
  return page;
}

std::vector<std::string> Engine::TaskIdsOf(std::string_view key) const {
  std::vector<std::string> ids;
  store_.VisitNewestFirst([&](const TaskView& t) {
    if (t.owner_key == key) ids.emplace_back(t.id);
    return true;
  });
  return ids;
}

std::map<TaskState, size_t> Engine::CountByState(int64_t now_ms) const {
  std::map<TaskState, size_t> counts;
  if (watching()) {  // every state a task enters is reported, and counted by the store
    const auto by_state = store_.CountByNotified();
    for (size_t st = 0; st < kTaskStateCount; ++st) {
      size_t n = 0;
      for (size_t p = 0; p < kMaxProviders; ++p) n += by_state[p][st];
      if (n > 0) counts[static_cast<TaskState>(st)] = n;
    }
    return counts;
  }
  store_.VisitNewestFirst([&](const TaskView& t) {
    ++counts[t.timeline.StateAt(now_ms)];
    return true;
  });
  return counts;
}

StatusOr<size_t> Engine::Reset(std::string_view key, bool restore_configured) {
  auto hold = HoldForChange();
  // Written first: what a reset forgets has no undo.
  const int64_t now = clock_->NowMs();
  nlohmann::json record = {{"t", "reset"}, {"key", key}, {"at", now}};
  if (restore_configured) record["configured"] = true;
  uint64_t position = 0;
  IMAGINE_RETURN_IF_ERROR(WriteChange(record, &position));
  size_t removed = store_.RemoveIf([&](const TaskView& t, uint64_t watch_timer) {
    if (!key.empty() && t.owner_key != key) return false;
    // Under the task's shard lock: its watch_timer is queued or firing, never one that fired
    // and was forgotten (a lane timer cannot tell those apart; see Scheduler::Cancel). Left to
    // fire into nothing (the task's handle no longer resolves) rather than cancelled one by one.
    if (watch_timer != 0) scheduler_.Forget(watch_timer);
    return true;
  });
  // The id sequence keeps running: a callback of a forgotten task may still be pending,
  // and must never be filed under a new task with the same id.
  if (key.empty()) {
    accounts_.ResetAll();
  } else {
    accounts_.Reset(key);
  }
  if (restore_configured) RestoreConfiguredUnlogged(now);
  ReleaseAndSync(hold, position);
  return removed;
}

bool Engine::ConsumeNotReadyPoll(std::string_view id) {
  auto hold = HoldForChange();
  bool not_ready = false;
  store_.Update(id, [&not_ready](Task& t) {
    if (t.not_ready_polls > 0) {
      --t.not_ready_polls;
      not_ready = true;
    }
  });
  if (not_ready && state_log_ != nullptr) LogRecord({{"t", "poll"}, {"id", id}});
  return not_ready;
}

StatusOr<Task> Engine::FindTask(Provider provider, std::string_view owner_key, std::string_view id) const {
  std::optional<Task> task = store_.Get(id);
  if (!task || task->provider != provider || task->owner_key != owner_key) return NotFound("task not found");
  return std::move(*task);
}

}  // namespace imagine
