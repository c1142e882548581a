#include "engine/accounts.h"

#include <algorithm>
#include <cmath>

namespace imagine {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;

std::string Plural(int n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

}  // namespace

Accounts::Accounts(AccountOptions options)
    : reject_unlisted_keys_(options.reject_unlisted_keys),
      default_profile_(std::make_shared<const KeyProfile>(std::move(options.default_profile))),
      provider_limits_(std::move(options.provider_limits)) {
  for (auto& [key, profile] : options.keys) profiles_[key] = std::make_shared<const KeyProfile>(std::move(profile));
}

KeyContext Accounts::Lookup(std::string_view key) const {
  KeyContext k;
  k.key = std::string(key);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = profiles_.find(key);
  k.profile = it == profiles_.end() ? default_profile_ : it->second;
  if (it == profiles_.end() && reject_unlisted_keys_) {
    k.auth = Status(Code::kUnauthenticated, "unknown API key", Violation{"", "unlisted_key", ""});
  } else if (k.profile->revoked) {
    k.auth = Status(Code::kUnauthenticated, "API key revoked", Violation{"", "revoked", ""});
  }
  if (auto account = accounts_.find(k.key); account != accounts_.end()) k.account = account->second;
  return k;
}

Status Accounts::Authenticate(std::string_view key) const { return Lookup(key).auth; }

Accounts::ProfileOrigin Accounts::OriginOf(std::string_view key) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (set_at_run_time_.count(key) > 0) return ProfileOrigin::kRunTime;
  return profiles_.count(key) > 0 ? ProfileOrigin::kConfig : ProfileOrigin::kDefault;
}

std::shared_ptr<const KeyProfile> Accounts::ProfileFor(std::string_view key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = profiles_.find(key);
  return it == profiles_.end() ? default_profile_ : it->second;
}

void Accounts::SetProfile(const std::string& key, KeyProfile profile, int64_t now_ms) {
  double credits = profile.credits;
  std::shared_ptr<Account> account;
  {
    std::lock_guard<std::mutex> lock(mu_);
    profiles_[key] = std::make_shared<const KeyProfile>(std::move(profile));
    set_at_run_time_.insert(key);
    auto it = accounts_.find(key);
    if (it != accounts_.end()) account = it->second;
  }
  if (account) {
    std::lock_guard<std::mutex> lock(account->mu);
    SettleLocked(*account, now_ms);
    double held = 0;
    account->active.ForEach([&](uint64_t, const Reservation& r) { held += r.price; });
    account->remaining = credits - held;
    account->used = held;
  }
}

std::shared_ptr<Accounts::Account> Accounts::AccountFor(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string k(key);
  auto it = accounts_.find(k);
  if (it != accounts_.end()) return it->second;
  auto account = std::make_shared<Account>();
  account->next_ticket = ticket_floor_;
  auto profile = profiles_.find(k);
  account->remaining = profile == profiles_.end() ? default_profile_->credits : profile->second->credits;
  accounts_.emplace(std::move(k), account);
  return account;
}

void Accounts::UnbindRestoredLocked(Account& account, uint64_t ticket) {
  if (account.restored_task.empty()) return;
  auto bound = account.restored_task.find(ticket);
  if (bound == account.restored_task.end()) return;
  account.restored_ticket.erase(bound->second);
  account.restored_task.erase(bound);
}

void Accounts::EraseReservationLocked(Account& account, uint64_t ticket) {
  Reservation* r = account.active.Find(ticket);
  if (r == nullptr) return;
  UnbindRestoredLocked(account, ticket);
  const std::string& counter = account.counters[r->counter];
  if (--account.running[counter] <= 0) account.running.erase(counter);
  account.active.Erase(ticket);
}

bool Accounts::AddReservationLocked(Account& account, uint64_t ticket, Reservation r, const std::string& counter) {
  auto named = std::find(account.counters.begin(), account.counters.end(), counter);
  if (named == account.counters.end()) named = account.counters.insert(named, counter);
  r.counter = static_cast<uint32_t>(named - account.counters.begin());
  const int64_t finish_ms = r.finish_ms;
  const TaskState outcome = r.outcome;
  r.finish_ms = kNever;
  auto [stored, added] = account.active.Emplace(ticket, std::move(r));
  if (!added) return false;
  account.running[counter]++;
  BindLocked(account, ticket, *stored, finish_ms, outcome);
  return true;
}

void Accounts::BindLocked(Account& account, uint64_t ticket, Reservation& r, int64_t finish_ms, TaskState outcome) {
  const bool moved = r.finish_ms != finish_ms;
  r.finish_ms = finish_ms;
  r.outcome = outcome;
  if (moved && finish_ms != kNever) account.by_finish.push(FinishEntry{finish_ms, ticket});
}

void Accounts::SettleLocked(Account& account, int64_t now_ms) {
  while (!account.by_finish.empty() && account.by_finish.top().finish_ms <= now_ms) {
    const FinishEntry due = account.by_finish.top();
    account.by_finish.pop();
    Reservation* r = account.active.Find(due.ticket);
    if (r == nullptr || r->finish_ms != due.finish_ms) continue;  // settled, or moved (a later entry stands)
    if (r->outcome == TaskState::kFailed) {
      account.remaining += r->price;  // a failed task costs nothing
      account.used -= r->price;
    }
    EraseReservationLocked(account, due.ticket);
  }
}

StatusOr<Accounts::Ticket> Accounts::Reserve(KeyContext& key, Provider provider, const std::string& model,
                                            double price, int64_t now_ms) {
  const std::shared_ptr<const KeyProfile>& profile = key.profile;
  if (profile->allowed_models && profile->allowed_models->count(model) == 0) {
    return Status(Code::kPermissionDenied, "this key may not use model " + model,
                  Violation{"", "model_not_allowed", model});
  }
  const RateLimits* limits_ptr = profile->rate_limits ? &*profile->rate_limits : nullptr;
  if (limits_ptr == nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = provider_limits_.find(provider);
    if (it != provider_limits_.end()) limits_ptr = &it->second;  // provider_limits_ is never modified
  }
  static const RateLimits kNoLimits;
  const RateLimits& limits = limits_ptr != nullptr ? *limits_ptr : kNoLimits;
  auto found = limits.models.find(model);
  const ModelLimit model_limit = found != limits.models.end() ? found->second : ModelLimit{};
  // The slots and creations a model's limits count (see LimitScope).
  const std::string counter = limits.scope == LimitScope::kPerKey
                                  ? "*" + std::to_string(provider.index())
                                  : model;
  const std::string counted = limits.scope == LimitScope::kPerKey ? "tasks" : model;

  if (!key.account) key.account = AccountFor(key.key);
  std::shared_ptr<Account> account = key.account;
  std::lock_guard<std::mutex> lock(account->mu);
  SettleLocked(*account, now_ms);
  if (limits.burst_count > 0) {
    const int64_t window = static_cast<int64_t>(std::llround(limits.burst_window_s * 1000));
    while (!account->recent.empty() && account->recent.front() <= now_ms - window) account->recent.pop_front();
    if (static_cast<int>(account->recent.size()) >= limits.burst_count) {
      return Status(Code::kResourceExhausted,
                    "more than " + Plural(limits.burst_count, "task creation") + " within " +
                        std::to_string(static_cast<int>(limits.burst_window_s)) + " s",
                    Violation{"", "burst", ""});
    }
  }
  if (model_limit.concurrent > 0) {
    auto running = account->running.find(counter);
    if (running != account->running.end() && running->second >= model_limit.concurrent) {
      return Status(Code::kResourceExhausted,
                    Plural(model_limit.concurrent, "concurrent task") + " of " + counted + " already running",
                    Violation{"", "concurrency", ""});
    }
  }
  std::deque<int64_t>& created = account->created[counter];
  while (!created.empty() && created.front() <= now_ms - kHourMs) created.pop_front();
  if (model_limit.per_hour > 0 && static_cast<int>(created.size()) >= model_limit.per_hour) {
    return Status(Code::kResourceExhausted, Plural(model_limit.per_hour, "creation") + " of " + counted + " per hour reached",
                  Violation{"", "hourly", ""});
  }
  if (account->remaining + 1e-9 < price) {
    return Status(Code::kFailedPrecondition, "insufficient credits", Violation{"", "credits", ""});
  }
  account->remaining -= price;
  account->used += price;
  if (limits.burst_count > 0) account->recent.push_back(now_ms);
  // per_key counts every creation (a model without limits still takes a slot of the key).
  if (model_limit.per_hour > 0 || limits.scope == LimitScope::kPerKey) created.push_back(now_ms);
  Ticket ticket{account->next_ticket++, account, counter, price, now_ms, limits.burst_count > 0,
                model_limit.per_hour > 0 || limits.scope == LimitScope::kPerKey};
  Reservation r;
  r.price = price;
  AddReservationLocked(*account, ticket.id, std::move(r), counter);
  return ticket;
}

StatusOr<Accounts::Ticket> Accounts::Reserve(std::string_view key, Provider provider, const std::string& model,
                                            double price, int64_t now_ms) {
  KeyContext k = Lookup(key);
  return Reserve(k, provider, model, price, now_ms);
}

void Accounts::Activate(std::string_view key, const Ticket& ticket, int64_t finish_ms, TaskState outcome) {
  std::shared_ptr<Account> account = ticket.account ? ticket.account : AccountFor(key);
  std::lock_guard<std::mutex> lock(account->mu);
  Reservation* r = account->active.Find(ticket.id);
  if (r == nullptr) return;
  BindLocked(*account, ticket.id, *r, finish_ms, outcome);
}

bool Accounts::Reschedule(std::string_view key, const std::string& task_id, uint64_t ticket, int64_t finish_ms,
                          TaskState outcome) {
  std::shared_ptr<Account> account = AccountFor(key);
  std::lock_guard<std::mutex> lock(account->mu);
  if (ticket == 0) {
    auto restored = account->restored_ticket.find(task_id);
    if (restored == account->restored_ticket.end()) return false;
    ticket = restored->second;
  }
  Reservation* r = account->active.Find(ticket);
  if (r == nullptr) return false;
  BindLocked(*account, ticket, *r, finish_ms, outcome);
  return true;
}

Balance Accounts::BalanceOf(std::string_view key, int64_t now_ms) {
  KeyContext k = Lookup(key);
  return BalanceOf(k, now_ms);
}

Balance Accounts::BalanceOf(KeyContext& key, int64_t now_ms) {
  if (!key.account) key.account = AccountFor(key.key);
  std::lock_guard<std::mutex> lock(key.account->mu);
  SettleLocked(*key.account, now_ms);
  return Balance{key.account->remaining, key.account->used};
}

void Accounts::RetireLocked(Account& account) {
  std::lock_guard<std::mutex> lock(account.mu);
  ticket_floor_ = std::max(ticket_floor_, account.next_ticket);
}

void Accounts::Reset(std::string_view key) {
  std::shared_ptr<Account> retired;  // freed after mu_ is let go: a key with 300 000 reservations
                                     // took ~40 ms to free, and every create takes mu_
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = accounts_.find(std::string(key));
    if (it == accounts_.end()) return;
    RetireLocked(*it->second);
    retired = std::move(it->second);
    accounts_.erase(it);
  }
}

void Accounts::RestoreProfiles(const AccountOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  profiles_.clear();
  set_at_run_time_.clear();
  for (const auto& [key, profile] : options.keys) profiles_[key] = std::make_shared<const KeyProfile>(profile);
}

void Accounts::ResetAll() {
  decltype(accounts_) retired;  // freed after mu_ is let go (see Reset)
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [key, account] : accounts_) RetireLocked(*account);
    retired.swap(accounts_);
  }
}

}  // namespace imagine
