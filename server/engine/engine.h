// Engine: the provider-neutral core that both dialects drive. It owns the clock, the
// scheduler, the task store and the seeded random source, plans each task's lifecycle
// and answers lookups. Knows nothing of HTTP or of either provider's wire format.
// Thread-safe: any number of request threads may call it at once.
//
//   Engine engine(options, std::make_unique<VirtualClock>(0));
//   StatusOr<Task> t = engine.CreateTask(params, &MakeApikleyId);
//   engine.AdvanceClock(20'000);                  // virtual clock only
//   StatusOr<Task> found = engine.FindTask(request.provider, key, t->id);
#ifndef IMAGINE_ENGINE_ENGINE_H_
#define IMAGINE_ENGINE_ENGINE_H_

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/accounts.h"
#include "engine/clock.h"
#include "engine/engine_options.h"
#include "engine/journal.h"
#include "engine/scenarios.h"
#include "engine/random.h"
#include "engine/scheduler.h"
#include "engine/state_log.h"
#include "engine/task.h"
#include "engine/task_store.h"

namespace imagine {

// Makes a fresh task id in a provider's format from the task's random stream and the time.
using IdFactory = std::function<std::string(Random& random, int64_t now_ms)>;

// Everything a dialect decided about a new task.
struct NewTask {
  Provider provider;
  std::string owner_key;
  const ModelOptions* model = nullptr;  // timing and price; must outlive the call
  std::string reported_model;           // model name to show in responses
  std::string request_json;             // accepted request, defaults applied
  std::string callback_url;
  OutputSpec output;
  const ArmedScenario* scenario = nullptr;  // lifecycle, query and download effects; may be null
  std::string callback_faults;              // X-Emulator-Callback
  size_t prompt_chars = 0;                  // the prompt's length in code points (complex-prompt timing)
  std::string input_failure;                // "" or why the input image is unusable: the task fails
                                            // at the end of queuing with this reason (engine/input_image.h)
};

class Engine {
 public:
  Engine(EngineOptions options, std::unique_ptr<Clock> clock, AccountOptions accounts = {},
         std::vector<ScenarioDef> scenario_catalog = {});
  ~Engine();

  // Read-only views of the engine's parts: every change that the state log must record goes
  // through the Engine's own methods (AdvanceClock, SetKeyProfile, AddScenarioRule, ...), so
  // nothing outside can reach a part's mutators. Timers may be scheduled and cancelled (they
  // are not state: each is re-made from the tasks on restore), but the clock does not move
  // through them.
  const Clock& clock() const { return *clock_; }
  Timers& timers() { return scheduler_; }
  const Accounts& accounts() const { return accounts_; }
  const Scenarios& scenarios() const { return scenarios_; }
  // The key's balance now (settles what finished tasks charged; see Accounts::BalanceOf).
  Balance BalanceOf(std::string_view key, int64_t now_ms) { return accounts_.BalanceOf(key, now_ms); }
  Balance BalanceOf(KeyContext& key, int64_t now_ms) { return accounts_.BalanceOf(key, now_ms); }
  // Stops the timer thread; pending timers never fire (at shutdown, before the callbacks).
  void StopTimers() { scheduler_.Shutdown(); }
  const EngineOptions& options() const { return options_; }
  int64_t NowMs() const { return clock_->NowMs(); }

  // Charges `key` (credits, rate limits, model access — see Accounts::Reserve), plans
  // the timeline from `now_ms` (shaped by the armed scenario, which is then committed:
  // Scenarios::Commit) and stores the task; returns it as stored. On any failure nothing
  // is stored, charged, committed or drawn from the seed.
  // Precondition: key.key == spec.owner_key.
  StatusOr<Task> CreateTask(NewTask spec, const IdFactory& make_id, KeyContext& key, int64_t now_ms);
  // The same for spec.owner_key at the clock's now.
  StatusOr<Task> CreateTask(NewTask spec, const IdFactory& make_id);

  // True (and counts one down) while the task still answers "not found yet" to status
  // queries (scenario record_not_ready).
  bool ConsumeNotReadyPoll(std::string_view id);

  // Run-time changes, made through the engine so that a state directory keeps them (each
  // is one record of the StateLog, when one is set). Each one whose record cannot be written
  // is not made (or undone) and refused: kInternal, rule "state_dir" (see SetStateLog).
  Status SetKeyProfile(const std::string& key, KeyProfile profile);
  StatusOr<ScenarioRule> AddScenarioRule(ScenarioRule rule);
  Status RemoveScenarioRule(uint64_t id);  // kNotFound for an unknown id
  StatusOr<size_t> ClearScenarioRules();   // how many were removed (lapsed ones not counted)
  // Takes `rule.provider` down: its earlier outage rules are removed and `rule` (made by
  // engine/outages.h MakeOutageRule) added at the clock's now, as one record ("outage").
  // Returns the rule added; kInvalidArgument for a rule without a provider or outage kind.
  StatusOr<ScenarioRule> SetOutage(ScenarioRule rule);
  // Ends the outages of `provider` (every provider's when nullopt); how many active ones
  // were removed. One record ("outages_cleared").
  StatusOr<size_t> ClearOutages(std::optional<Provider> provider);
  Status SetChaos(std::map<std::string, double> chaos);
  // Scenarios::Select, keeping the chaos draw it uses.
  StatusOr<std::optional<ArmedScenario>> SelectScenario(const ScenarioContext& ctx);
  // Scenarios::Commit for a scenario that acted without creating a task (a scripted
  // answer, a query); CreateTask commits its own.
  void CommitScenario(const ArmedScenario& armed);
  // Scenarios::Release: a selected scenario did not act (the request was refused first,
  // e.g. CreateTask failed), so its rule's reserved match is given back.
  void ReleaseScenario(const ArmedScenario& armed);
  // Scheduler::Advance, then the clock's new time is kept.
  Status AdvanceClock(int64_t ms);
  // kFailedPrecondition on a virtual clock. Precondition: scale > 0.
  Status SetTimeScale(double scale);
  // At start-up: the scenario rules and chaos of the config (checked; kInvalidArgument
  // names the bad one). Reset(key, /*restore_configured=*/true) puts them and the configured
  // key profiles back.
  Status Configure(const std::vector<ScenarioRule>& rules, const std::map<std::string, double>& chaos);

  // The state directory (server/state/, --state-dir). With a log set, every change above,
  // every create, admin action, state reported, poll counted, eviction and reset is
  // appended to it as one record (engine/state_records.h) before the call returns. A change
  // that is answered (a create, an admin action on a task, a profile, a scenario rule, chaos,
  // the clock, a reset) and whose record cannot be written is not made, or undone, and
  // refused: kInternal, Violation rule "state_dir", value and message saying why (the
  // StateLog's words name the file). Set once, before serving, after restoring.
  void SetStateLog(StateLog* log) { state_log_ = log; }
  // Restoring, before SetStateLog, SetJournal and SetObserver: applies one record of a
  // snapshot or a log, in the order written, once it matches its kind's schema
  // (schemas/state-records.schema.yaml; format version 1's positional forms are read too).
  // kInvalidArgument says what does not read (engine/state_record_schema.h CheckStateRecord).
  Status ApplyStateRecord(const nlohmann::json& record);
  // After restoring, SetJournal and SetObserver: arms the state reports of the restored
  // tasks (what finished while the emulator was down is reported, and called back, now).
  void ResumeRestoredTasks();
  // Emits the whole state as records (ApplyStateRecord reads them back: clock, sequence,
  // scenarios, run-time profiles, accounts, then every task oldest first) with every
  // change paused; `rotate` runs in the same pause, after the last record (the caller
  // switches to a new log there). Stops at the first error either returns.
  Status WriteStateSnapshot(const std::function<Status(const std::string& record)>& emit,
                            const std::function<Status()>& rotate);

  // Journals and counts every state a task enters, at its emulated time (one Scheduler
  // timer per running task), and tells `observer` when a task finishes. Each is set once,
  // before serving (either may be null); they must outlive the engine.
  void SetJournal(Journal* journal) { journal_ = journal; }
  void SetObserver(TaskObserver* observer) { observer_ = observer; }

  // How many times tasks of `provider` entered each state (indexed by TaskState) since start.
  std::array<uint64_t, kTaskStateCount> StatesEntered(Provider provider) const;

  // Admin actions on a running task; each takes effect now and is reported like any
  // transition. kNotFound for an unknown id; kFailedPrecondition once it is terminal.
  StatusOr<Task> CompleteTask(std::string_view id);
  StatusOr<Task> FailTask(std::string_view id, std::string reason, std::string code, std::string message);
  StatusOr<Task> AdvanceTask(std::string_view id);  // to its next state (a stuck one then succeeds)
  StatusOr<Task> CancelTask(std::string_view id);   // fails with request_cancelled

  struct TaskFilter {
    std::optional<Provider> provider;
    std::string key;
    std::string model;
    std::optional<TaskState> state;
    size_t offset = 0;
    size_t limit = 50;
  };
  // Matching tasks, newest first (by creation), one page; *total counts every match. Pages
  // come from the store's creation order; the total from its counters where they suffice.
  std::vector<Task> ListTasks(const TaskFilter& filter, size_t* total) const;

  // How many stored tasks are in each state at `now_ms`. With a journal or an observer
  // attached every state entered is reported, and this reads the store's counters of the
  // last reported state (no scan); without, it derives each task's state.
  std::map<TaskState, size_t> CountByState(int64_t now_ms) const;

  // The ids of `key`'s tasks.
  std::vector<std::string> TaskIdsOf(std::string_view key) const;

  // Forgets tasks and usage: everything (key empty) or one key's; with `restore_configured`
  // also puts the config's scenario rules, chaos and key profiles back. Returns tasks removed.
  StatusOr<size_t> Reset(std::string_view key, bool restore_configured = false);

  // The task `id` if it exists, belongs to `provider` and was created with `owner_key`;
  // otherwise kNotFound (another key's task is indistinguishable from a missing one).
  StatusOr<Task> FindTask(Provider provider, std::string_view owner_key, std::string_view id) const;

  // Any task by id regardless of owner (result downloads, the admin API).
  std::optional<Task> GetTask(std::string_view id) const { return store_.Get(id); }

  size_t task_count() const { return store_.size(); }
  // Finished tasks evicted to keep the store within options().max_stored_tasks and
  // max_stored_bytes, in all; and those evicted for bytes.
  uint64_t tasks_evicted() const { return store_.evicted(); }
  uint64_t tasks_evicted_for_bytes() const { return store_.evicted_for_bytes(); }
  // The variable bytes the stored tasks hold (what max_stored_bytes bounds).
  size_t stored_task_bytes() const { return store_.bytes(); }

 private:
  Timeline PlanTimeline(const StageTiming& timing, double factor, Random& random, int64_t now_ms,
                        size_t prompt_chars = 0) const;
  // kResourceExhausted (rule "store_full"): the store is full of running tasks, by count
  // (kFull) or by bytes (kFullBytes) for a task of `task_bytes`.
  Status StoreFull(TaskStore::InsertResult why, size_t task_bytes) const;
  bool watching() const { return journal_ != nullptr || observer_ != nullptr; }
  // Journals and counts `task` entering `state` at `at_ms`, and reports a finish.
  void RecordEntered(const Task& task, TaskState state, int64_t at_ms);
  // Schedules the next state report of `task`, if it has one ahead.
  void ArmWatch(const Task& task);
  // Reports the transitions of task `id` up to now and arms the next report.
  void ReportTransitions(const std::string& id);
  // The same for a task found by id (std::string_view) or by its ArmWatch handle (uint64_t);
  // false when no such task is stored.
  template <typename Where>
  bool ReportTransitionsOf(Where where);
  // A shared hold on state changes while a log is set (WriteStateSnapshot takes it whole).
  std::shared_lock<std::shared_mutex> HoldForChange() const;
  // Appends `record` to the state log (Ok without one); `position` for StateLog::Sync. For
  // records no answer waits on (states reported, polls, evictions, scenario commits).
  Status LogRecord(const nlohmann::json& record, uint64_t* position = nullptr);
  // The one way an answered change reaches the log: LogRecord, and when the record cannot be
  // written, the refusal every such change returns (kInternal, rule "state_dir"). The caller
  // then leaves, or puts, everything as it was. Ok without a log.
  Status WriteChange(const nlohmann::json& record, uint64_t* position);
  // Syncs the log up to `position` (fsync: always); no-op without a log.
  void SyncLog(uint64_t position);
  // Lets go of `hold` (so a sync never holds back a snapshot), then syncs up to `position`.
  void ReleaseAndSync(std::shared_lock<std::shared_mutex>& hold, uint64_t position);
  // The end of an answered change made under `hold`: WriteChange(record); if it fails, runs
  // `undo` (still under the hold) and returns the refusal. Lets go of `hold` and syncs either way.
  Status LogAndRelease(const nlohmann::json& record, std::shared_lock<std::shared_mutex>& hold,
                       const std::function<void()>& undo);
  // The record of a clock move: emulated now (`now_ms`), wall time and speed.
  nlohmann::json ClockRecord(int64_t now_ms) const;
  // Puts the config's scenario rules, chaos and key profiles back (Reset, a "configured"
  // record); the rules' for_s runs from `at_ms` (the reset's time, also on replay).
  void RestoreConfiguredUnlogged(int64_t at_ms);
  // Applies `change` to a running task's timeline now; the shared body of the admin actions.
  StatusOr<Task> ChangeRunningTask(std::string_view id, const std::function<void(Task&, int64_t now)>& change);
  // Applies each kind of state record (engine_replay.cc).
  friend struct StateReplay;

  const EngineOptions options_;
  std::unique_ptr<Clock> clock_;
  Scheduler scheduler_;
  TaskStore store_;
  const AccountOptions configured_accounts_;
  Accounts accounts_;
  Scenarios scenarios_;
  std::vector<ScenarioRule> configured_rules_;
  std::map<std::string, double> configured_chaos_;
  StateLog* state_log_ = nullptr;
  mutable std::shared_mutex state_mu_;  // shared by each logged change, whole for a snapshot
  // Held by AdvanceClock from its record through the advance (whose timers take state_mu_
  // shared), and by WriteStateSnapshot before state_mu_: no snapshot falls between the two.
  std::mutex clock_advance_mu_;
  std::atomic<uint64_t> sequence_{0};  // numbers tasks for their random streams
  Journal* journal_ = nullptr;
  TaskObserver* observer_ = nullptr;
  std::array<std::array<std::atomic<uint64_t>, kTaskStateCount>, kMaxProviders> entered_{};  // [provider][state]
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_ENGINE_H_
