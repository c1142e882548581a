// The engine's run-time changes and its state directory records: each change is made
// under a shared hold and appended to the StateLog in the same hold, so a snapshot
// (WriteStateSnapshot, the whole hold) sees each change entirely or not at all. The
// records (schemas/state-records.schema.yaml) are read back by ApplyStateRecord
// (engine_replay.cc) in the order written.
#include <algorithm>
#include <unordered_map>

#include "engine/accounts_json.h"
#include "engine/engine.h"
#include "engine/scenarios_json.h"
#include "engine/state_records.h"

namespace imagine {
namespace {

// A key profile with every field written (KeyProfileFromJson reads them all back).
nlohmann::json ProfileToState(const KeyProfile& p) {
  nlohmann::json j = KeyProfileToJson(p, /*mask_secrets=*/false);
  j["webhook_hmac_key"] = p.webhook_hmac_key;
  j["default_scenario"] = p.default_scenario;
  j["callback_faults"] = p.callback_faults;
  return j;
}

}  // namespace

std::shared_lock<std::shared_mutex> Engine::HoldForChange() const {
  if (state_log_ == nullptr) return std::shared_lock<std::shared_mutex>();
  return std::shared_lock<std::shared_mutex>(state_mu_);
}

Status Engine::LogRecord(const nlohmann::json& record, uint64_t* position) {
  if (state_log_ == nullptr) return Status::Ok();
  auto written = state_log_->Append(record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (!written.ok()) return written.status();
  if (position != nullptr) *position = *written;
  return Status::Ok();
}

Status Engine::WriteChange(const nlohmann::json& record, uint64_t* position) {
  Status written = LogRecord(record, position);
  if (written.ok()) return written;
  const std::string why = written.message();
  return Status(Code::kInternal, "the change could not be written to the state directory, so it was not made: " + why,
                Violation{"", "state_dir", why});
}

void Engine::SyncLog(uint64_t position) {
  if (state_log_ != nullptr && position != 0) state_log_->Sync(position);
}

void Engine::ReleaseAndSync(std::shared_lock<std::shared_mutex>& hold, uint64_t position) {
  if (hold.owns_lock()) hold.unlock();
  SyncLog(position);
}

Status Engine::LogAndRelease(const nlohmann::json& record, std::shared_lock<std::shared_mutex>& hold,
                             const std::function<void()>& undo) {
  uint64_t position = 0;
  Status written = WriteChange(record, &position);
  if (!written.ok() && undo) undo();
  ReleaseAndSync(hold, position);
  return written;
}

nlohmann::json Engine::ClockRecord(int64_t now_ms) const {
  return {{"t", "clock"},
          {"now", now_ms},
          {"wall", WallNowMs()},
          {"scale", clock_->time_scale()},
          {"virtual", clock_->is_virtual()}};
}

Status Engine::SetKeyProfile(const std::string& key, KeyProfile profile) {
  auto hold = HoldForChange();
  const int64_t now = clock_->NowMs();
  // Written first: setting a profile settles the key's balance, which has no exact undo.
  uint64_t position = 0;
  IMAGINE_RETURN_IF_ERROR(
      WriteChange({{"t", "profile"}, {"key", key}, {"profile", ProfileToState(profile)}, {"at", now}}, &position));
  accounts_.SetProfile(key, std::move(profile), now);
  ReleaseAndSync(hold, position);
  return Status::Ok();
}

StatusOr<ScenarioRule> Engine::AddScenarioRule(ScenarioRule rule) {
  auto hold = HoldForChange();
  auto added = scenarios_.AddRule(std::move(rule), clock_->NowMs());
  if (!added.ok()) return added;
  const uint64_t id = added->id;
  IMAGINE_RETURN_IF_ERROR(LogAndRelease({{"t", "rule"}, {"rule", ScenarioRuleToState(*added)}}, hold,
                                        [&] { scenarios_.RemoveRule(id); }));
  return added;
}

StatusOr<ScenarioRule> Engine::SetOutage(ScenarioRule rule) {
  if (!rule.provider || rule.outage.empty()) return InvalidArgument("an outage rule needs a provider and a kind");
  auto hold = HoldForChange();
  // One step under the rules' lock: no request sees the provider up between the two, and
  // concurrent sets leave one outage, as a replay of their records does.
  auto replaced = scenarios_.ReplaceOutage(std::move(rule), clock_->NowMs());
  if (!replaced.ok()) return replaced.status();
  const ScenarioRule added = replaced->added;
  IMAGINE_RETURN_IF_ERROR(LogAndRelease({{"t", "outage"}, {"rule", ScenarioRuleToState(added)}}, hold, [&] {
    scenarios_.RemoveRule(added.id);
    for (const ScenarioRule& r : replaced->removed) scenarios_.RestoreRule(r);
  }));
  return added;
}

StatusOr<size_t> Engine::ClearOutages(std::optional<Provider> provider) {
  auto hold = HoldForChange();
  const int64_t now = clock_->NowMs();
  const std::vector<ScenarioRule> removed = scenarios_.RemoveOutages(provider);
  nlohmann::json record = {{"t", "outages_cleared"}};
  if (provider) record["provider"] = ProviderName(*provider);
  IMAGINE_RETURN_IF_ERROR(LogAndRelease(record, hold, [&] {
    for (const ScenarioRule& r : removed) scenarios_.RestoreRule(r);
  }));
  return static_cast<size_t>(
      std::count_if(removed.begin(), removed.end(), [&](const ScenarioRule& r) { return r.ActiveAt(now); }));
}

Status Engine::RemoveScenarioRule(uint64_t id) {
  auto hold = HoldForChange();
  std::optional<ScenarioRule> removed;
  for (const ScenarioRule& r : scenarios_.ActiveRules(clock_->NowMs())) {
    if (r.id == id) removed = r;
  }
  if (!removed || !scenarios_.RemoveRule(id)) return NotFound("no scenario rule " + std::to_string(id));
  return LogAndRelease({{"t", "unrule"}, {"id", id}}, hold, [&] { scenarios_.RestoreRule(*removed); });
}

StatusOr<size_t> Engine::ClearScenarioRules() {
  auto hold = HoldForChange();
  const std::vector<ScenarioRule> removed = scenarios_.TakeAllRules();  // one step: none added between
  IMAGINE_RETURN_IF_ERROR(LogAndRelease({{"t", "rules_cleared"}}, hold, [&] {
    for (const ScenarioRule& r : removed) scenarios_.RestoreRule(r);
  }));
  const int64_t now = clock_->NowMs();
  return static_cast<size_t>(
      std::count_if(removed.begin(), removed.end(), [&](const ScenarioRule& r) { return r.ActiveAt(now); }));
}

Status Engine::SetChaos(std::map<std::string, double> chaos) {
  auto hold = HoldForChange();
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, p] : chaos) j[name] = p;
  std::map<std::string, double> before = scenarios_.chaos();
  IMAGINE_RETURN_IF_ERROR(scenarios_.SetChaos(std::move(chaos)));
  return LogAndRelease({{"t", "chaos"}, {"chaos", j}}, hold, [&] { scenarios_.SetChaos(std::move(before)); });
}

StatusOr<std::optional<ArmedScenario>> Engine::SelectScenario(const ScenarioContext& ctx) {
  auto hold = HoldForChange();
  ScenarioContext at_now = ctx;
  at_now.now_ms = clock_->NowMs();
  auto selected = scenarios_.Select(at_now);
  if (state_log_ != nullptr && scenarios_.has_chaos()) {
    LogRecord({{"t", "draws"}, {"n", scenarios_.chaos_draws()}});
  }
  return selected;
}

void Engine::ReleaseScenario(const ArmedScenario& armed) { scenarios_.Release(armed); }

void Engine::CommitScenario(const ArmedScenario& armed) {
  auto hold = HoldForChange();
  scenarios_.Commit(armed);
  if (armed.rule_id == 0 && !armed.from_chaos) return;
  nlohmann::json record = {{"t", "commit"}};
  if (armed.rule_id != 0) record["rule"] = armed.rule_id;
  if (armed.from_chaos) record["chaos_draws"] = scenarios_.chaos_draws();
  LogRecord(record);
}

Status Engine::AdvanceClock(int64_t ms) {
  // Timers that fired cannot be unfired: the clock's record is written first, at the time the
  // advance reaches, and no snapshot falls between it and the advance (clock_advance_mu_).
  if (ms < 0 || !clock_->is_virtual()) return scheduler_.Advance(ms);  // refused; nothing moves
  std::lock_guard<std::mutex> advancing(clock_advance_mu_);
  {
    auto hold = HoldForChange();
    uint64_t position = 0;
    IMAGINE_RETURN_IF_ERROR(WriteChange(ClockRecord(clock_->NowMs() + ms), &position));
    ReleaseAndSync(hold, position);
  }
  return scheduler_.Advance(ms);
}

Status Engine::SetTimeScale(double scale) {
  auto* real = dynamic_cast<RealClock*>(clock_.get());
  if (real == nullptr) return Status(Code::kFailedPrecondition, "the clock is virtual; it has no time scale");
  auto hold = HoldForChange();
  const double before = real->time_scale();
  real->SetTimeScale(scale);
  scheduler_.Wake();
  return LogAndRelease(ClockRecord(clock_->NowMs()), hold, [&] {
    real->SetTimeScale(before);
    scheduler_.Wake();
  });
}

Status Engine::Configure(const std::vector<ScenarioRule>& rules, const std::map<std::string, double>& chaos) {
  for (const ScenarioRule& rule : rules) {
    auto added = scenarios_.AddRule(rule, clock_->NowMs());
    if (!added.ok()) {
      return InvalidArgument(std::string(rule.outage.empty() ? "config: scenarios.rules: " : "config: scenarios.outages: ") +
                             added.status().message());
    }
  }
  Status set = scenarios_.SetChaos(chaos);
  if (!set.ok()) return InvalidArgument("config: scenarios.chaos: " + set.message());
  configured_rules_ = rules;
  configured_chaos_ = chaos;
  return Status::Ok();
}

void Engine::RestoreConfiguredUnlogged(int64_t at_ms) {
  accounts_.RestoreProfiles(configured_accounts_);
  scenarios_.ClearRules();
  for (const ScenarioRule& rule : configured_rules_) scenarios_.AddRule(rule, at_ms);
  scenarios_.SetChaos(configured_chaos_);
}

Status Engine::WriteStateSnapshot(const std::function<Status(const std::string& record)>& emit,
                                  const std::function<Status()>& rotate) {
  std::lock_guard<std::mutex> no_advance(clock_advance_mu_);
  std::unique_lock<std::shared_mutex> pause(state_mu_);
  Status first = Status::Ok();
  auto put = [&](const nlohmann::json& record) {
    if (first.ok()) first = emit(record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  };
  put(ClockRecord(clock_->NowMs()));
  put({{"t", "sequence"}, {"next", sequence_.load()}});
  put({{"t", "scenarios"}, {"state", scenarios_.ExportState(clock_->NowMs())}});
  const int64_t now = clock_->NowMs();
  // A reservation keeps no copy of its task's id (the task carries the ticket): the id of each
  // task still running, by key and ticket, for the account records.
  std::unordered_map<std::string, std::unordered_map<uint64_t, std::string>> running;
  store_.VisitNewestFirst([&](const TaskView& t) {
    if (t.ticket != 0 && t.timeline.finished_ms > now) running[std::string(t.owner_key)][t.ticket] = std::string(t.id);
    return true;
  });
  accounts_.ExportState(
      now,
      [&](const std::string& key, const KeyProfile& p) {
        put({{"t", "profile"}, {"key", key}, {"profile", ProfileToState(p)}, {"at", now}});
      },
      [&](const std::string& key, nlohmann::json usage) {
        put({{"t", "account"}, {"key", key}, {"usage", std::move(usage)}});
      },
      [&](const std::string& key, uint64_t ticket) {
        auto of_key = running.find(key);
        if (of_key == running.end()) return std::string();
        auto task = of_key->second.find(ticket);
        return task == of_key->second.end() ? std::string() : task->second;
      });
  running.clear();
  store_.ForEachOldestFirst([&](const Task& t) { put({{"t", "stored"}, {"task", TaskToStateJson(t)}}); });
  IMAGINE_RETURN_IF_ERROR(first);
  return rotate();
}

}  // namespace imagine
