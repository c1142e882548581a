// Accounts: API-key profiles and what each key may do — who is let in, which models it
// may use, how many credits it has, and the rate limits that really count on the
// emulator's clock. Both providers share one account per key (a key is a key).
// Thread-safe: one mutex per key account, held only for bookkeeping, never for I/O.
//
// Credits are reserved when a task is created and refunded when it fails; a task holds
// one concurrency slot of its model until it reaches a terminal state. Both settle
// lazily from each task's planned finish time, so no timer is needed per task.
#ifndef IMAGINE_ENGINE_ACCOUNTS_H_
#define IMAGINE_ENGINE_ACCOUNTS_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/chunked_heap.h"
#include "common/status.h"
#include "engine/split_map.h"
#include "engine/task.h"

namespace imagine {

// Limits on creating tasks. 0 means "no limit" everywhere.
struct ModelLimit {
  int concurrent = 0;  // tasks of this model not yet finished
  int per_hour = 0;    // creations of this model in any 3600 s window
};
// What a model's concurrent / per_hour limit counts: that model's tasks of the key
// (per_key_and_model, the default), or all the key's tasks of the provider (per_key).
enum class LimitScope { kPerKeyAndModel, kPerKey };
struct RateLimits {
  int burst_count = 0;             // creations of any model ...
  double burst_window_s = 0;       // ... within this many seconds
  std::map<std::string, ModelLimit> models;  // by model name
  LimitScope scope = LimitScope::kPerKeyAndModel;
};

struct KeyProfile {
  bool revoked = false;                           // always 401
  double credits = 1000;                          // starting balance
  std::optional<std::set<std::string>> allowed_models;  // nullopt = every model
  std::string user_group = "default";             // Evolink usage.user_group: default | vip
  std::string webhook_hmac_key;                   // "" = callbacks unsigned
  std::string default_scenario;                   // "" = none; "name;param=value"
  std::string callback_faults;                    // "" = none; e.g. "duplicate;fail_first=1"
  std::optional<RateLimits> rate_limits;          // nullopt = the provider's defaults
};

struct AccountOptions {
  bool reject_unlisted_keys = false;  // true: keys not in `keys` get 401
  KeyProfile default_profile;         // for keys not listed
  std::map<std::string, KeyProfile> keys;
  // Per-provider default limits (Apikley's: its seed's per-model pairs and Kie's burst; Evolink publishes none).
  std::map<Provider, RateLimits> provider_limits;
};

// What a key's account shows at a moment.
struct Balance {
  double remaining = 0;
  double used = 0;
};

struct KeyContext;

class Accounts {
 public:
  explicit Accounts(AccountOptions options);

  // Everything a request needs to know about `key`, under one lock: whether it may call
  // (kUnauthenticated for a revoked key, or an unlisted one when unlisted keys are
  // refused), its profile, and its account if it has one. Look it up once per request and
  // pass it down.
  KeyContext Lookup(std::string_view key) const;
  // Lookup(key).auth.
  Status Authenticate(std::string_view key) const;

  // Where the profile that applies to `key` comes from.
  enum class ProfileOrigin { kDefault, kConfig, kRunTime };
  ProfileOrigin OriginOf(std::string_view key) const;

  // The profile that applies to `key` (immutable; replaced whole by SetProfile).
  std::shared_ptr<const KeyProfile> ProfileFor(std::string_view key) const;

  // Replaces (or adds) the profile of `key` and sets its balance to profile.credits minus
  // what its tasks still running at `now_ms` hold (they stay reserved, and are refunded if
  // they fail); rate-limit history and running tasks are kept.
  void SetProfile(const std::string& key, KeyProfile profile, int64_t now_ms);

  // Checks and reserves, atomically, one creation of `model` by `key` at `now_ms`:
  // kPermissionDenied (model not allowed: rule "model_not_allowed", value the model),
  // kResourceExhausted (burst, concurrency or hourly limit; rule says which),
  // kFailedPrecondition (credits below `price`). Gives `key` its account if it had none.
  // On success the credits are taken and a reservation holds a concurrency slot until
  // Activate() gives it the task's finish time. Nothing changes on failure.
  struct Account;
  struct Ticket {
    uint64_t id = 0;
    std::shared_ptr<Account> account;  // the account charged (survives a Reset in between)
    // What the charge did, so a state directory can replay it exactly (ReplayCharge).
    std::string counter;  // the slot counter it holds (the model, or "*<provider>")
    double price = 0;
    int64_t at_ms = 0;
    bool burst = false;   // counted in the burst window
    bool hourly = false;  // counted in the counter's hourly window
  };
  StatusOr<Ticket> Reserve(KeyContext& key, Provider provider, const std::string& model, double price,
                           int64_t now_ms);
  // The same after Lookup(key).
  StatusOr<Ticket> Reserve(std::string_view key, Provider provider, const std::string& model, double price,
                           int64_t now_ms);

  // Binds a reservation to its task: it settles at `finish_ms` (refunded if `outcome`
  // is kFailed). kNever keeps the slot forever (a stuck task). The task keeps the ticket
  // (Task::ticket); the reservation keeps no copy of the task's id.
  void Activate(std::string_view key, const Ticket& ticket, int64_t finish_ms, TaskState outcome);

  // Changes when and how a task ends (admin actions, cancellation): the reservation `ticket`
  // (Task::ticket), or when it is 0 the one ImportAccount bound to `task_id` (a task restored
  // from a snapshot whose ticket was not taken). False when the task has already settled (it
  // then stays settled). A ticket names one reservation of the key for good: a Reset key's
  // next account numbers its tickets after the old one's.
  bool Reschedule(std::string_view key, const std::string& task_id, uint64_t ticket, int64_t finish_ms,
                  TaskState outcome);

  // The key's balance at `now_ms` (settling everything finished by then).
  Balance BalanceOf(std::string_view key, int64_t now_ms);
  Balance BalanceOf(KeyContext& key, int64_t now_ms);

  // State directory (engine_state.cc). ReplayCharge repeats a charge Reserve made, bound to
  // its task as Activate did, without checking any limit (it was admitted then).
  void ReplayCharge(const std::string& key, const Ticket& charge, int64_t finish_ms, TaskState outcome);
  // Settles every account at `now_ms`, then calls `profile` for each profile set at run time
  // and `account` for each key's usage, as JSON (ImportAccount reads the latter back). Each
  // reservation left is of a task running at `now_ms`; `task_of(key, ticket)` names its task
  // (the store's task carrying that ticket, "" when none).
  using TaskOfTicket = std::function<std::string(const std::string& key, uint64_t ticket)>;
  void ExportState(int64_t now_ms, const std::function<void(const std::string& key, const KeyProfile& profile)>& profile,
                   const std::function<void(const std::string& key, nlohmann::json usage)>& account,
                   const TaskOfTicket& task_of);
  // kInvalidArgument naming the field that does not read. Each reservation read stays bound
  // to its task's id until TakeRestoredTicket hands its ticket to the task.
  Status ImportAccount(const std::string& key, const nlohmann::json& usage);
  // The ticket of the reservation ImportAccount bound to `task_id` of `key` (0 when none), which
  // then forgets the binding: the restored task carries the ticket from now on (Task::ticket).
  uint64_t TakeRestoredTicket(std::string_view key, const std::string& task_id);

  // Forgets a key's usage: balance back to its profile's credits, no history, no slots.
  void Reset(std::string_view key);
  void ResetAll();
  // Puts the configured profiles back (dropping those set at run time).
  void RestoreProfiles(const AccountOptions& options);

 private:
  struct Reservation {  // 24 bytes: the task knows its ticket, the reservation not its task
    double price = 0;
    int64_t finish_ms = kNever;
    uint32_t counter = 0;  // the counter it holds a slot of (Account::counters): the model, or "*<provider>" (per_key)
    TaskState outcome = TaskState::kSucceeded;
  };
  // When a reservation settles; an entry whose reservation has since moved or settled is skipped.
  struct FinishEntry {
    int64_t finish_ms;
    uint64_t ticket;
    bool operator>(const FinishEntry& o) const { return finish_ms != o.finish_ms ? finish_ms > o.finish_ms : ticket > o.ticket; }
  };

  std::shared_ptr<Account> AccountFor(std::string_view key);
  // Settles reservations finished by `now_ms`. Requires account.mu held.
  static void SettleLocked(Account& account, int64_t now_ms);
  static void EraseReservationLocked(Account& account, uint64_t ticket);
  // Adds a reservation under `ticket` (settling at r.finish_ms), taking a slot of `counter`;
  // false when `ticket` is already there. Requires account.mu held.
  static bool AddReservationLocked(Account& account, uint64_t ticket, Reservation r, const std::string& counter);
  // Sets when reservation `r` (of `ticket`) settles, and with what outcome.
  static void BindLocked(Account& account, uint64_t ticket, Reservation& r, int64_t finish_ms, TaskState outcome);
  // Forgets the task id ImportAccount bound to `ticket`, if any. Requires account.mu held.
  static void UnbindRestoredLocked(Account& account, uint64_t ticket);
  // Raises ticket_floor_ past `account`'s tickets before it is dropped. Requires mu_ held.
  void RetireLocked(Account& account);

  mutable std::mutex mu_;  // protects profiles_, provider_limits_, ticket_floor_ and accounts_ (the map, not the accounts)
  const bool reject_unlisted_keys_;
  const std::shared_ptr<const KeyProfile> default_profile_;
  std::map<std::string, std::shared_ptr<const KeyProfile>, std::less<>> profiles_;
  std::set<std::string, std::less<>> set_at_run_time_;  // keys whose profile SetProfile replaced
  uint64_t ticket_floor_ = 1;  // the first ticket of a new account: past every ticket of an account Reset dropped
  std::map<Provider, RateLimits> provider_limits_;
  std::unordered_map<std::string, std::shared_ptr<Account>> accounts_;
};

struct Accounts::Account {  // one key's usage; opaque to callers (Ticket holds one)
  std::mutex mu;  // protects every field below
  double remaining = 0;
  double used = 0;
  uint64_t next_ticket = 1;
  // A running task's reservation is one 24-byte split-map entry and one heap entry: no map
  // rehashes all of a key's 100 000s of tasks at once, and no copy of the task's id.
  SplitMap<uint64_t, Reservation> active;                         // by ticket
  // Reservations read from a snapshot (ImportAccount) whose task has not taken its ticket yet
  // (TakeRestoredTicket): the task id each was bound to, both ways. Empty outside a restore.
  std::unordered_map<uint64_t, std::string> restored_task;        // ticket -> task id
  std::unordered_map<std::string_view, uint64_t> restored_ticket;  // task id (restored_task's bytes) -> ticket
  ChunkedHeap<FinishEntry, std::greater<FinishEntry>, 6> by_finish;  // chunks of 64 (1 KiB): one per key
  std::vector<std::string> counters;                              // the counters reservations name, by index
  std::map<std::string, int> running;                             // counter -> active count
  std::map<std::string, std::deque<int64_t>> created;             // counter -> creation times, last hour
  std::deque<int64_t> recent;                                     // creation times, burst window
};

// One request's view of an API key (Accounts::Lookup). A value type; copy freely.
struct KeyContext {
  std::string key;
  Status auth;                                // OK, or why the key may not call
  std::shared_ptr<const KeyProfile> profile;  // never null
  std::shared_ptr<Accounts::Account> account;  // null until the key first holds credits
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_ACCOUNTS_H_
