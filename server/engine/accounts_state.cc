// Accounts in a state directory: replaying a charge and the usage of each key as JSON
// (declared in accounts.h; the format is schemas/state-records.schema.yaml, Usage).
#include "engine/accounts.h"
#include "engine/state_records.h"

namespace imagine {

void Accounts::ReplayCharge(const std::string& key, const Ticket& charge, int64_t finish_ms, TaskState outcome) {
  std::shared_ptr<Account> account = AccountFor(key);
  std::lock_guard<std::mutex> lock(account->mu);
  SettleLocked(*account, charge.at_ms);
  EraseReservationLocked(*account, charge.id);  // a ticket is charged once (a damaged log may repeat one)
  account->remaining -= charge.price;
  account->used += charge.price;
  if (charge.burst) account->recent.push_back(charge.at_ms);
  if (charge.hourly) account->created[charge.counter].push_back(charge.at_ms);
  account->next_ticket = std::max(account->next_ticket, charge.id + 1);
  Reservation r;
  r.price = charge.price;
  r.finish_ms = finish_ms;
  r.outcome = outcome;
  AddReservationLocked(*account, charge.id, std::move(r), charge.counter);
}

void Accounts::ExportState(int64_t now_ms,
                           const std::function<void(const std::string& key, const KeyProfile& profile)>& profile,
                           const std::function<void(const std::string& key, nlohmann::json usage)>& account,
                           const TaskOfTicket& task_of) {
  std::vector<std::pair<std::string, std::shared_ptr<const KeyProfile>>> profiles;
  std::vector<std::pair<std::string, std::shared_ptr<Account>>> accounts;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& key : set_at_run_time_) profiles.emplace_back(key, profiles_.at(key));
    for (const auto& [key, a] : accounts_) accounts.emplace_back(key, a);
  }
  for (const auto& [key, p] : profiles) profile(key, *p);
  for (const auto& entry : accounts) {
    // Named, not a structured binding: C++17 lambdas (ForEach below) cannot capture bindings (clang).
    const std::string& key = entry.first;
    const std::shared_ptr<Account>& a = entry.second;
    nlohmann::json j;
    {
      std::lock_guard<std::mutex> lock(a->mu);
      SettleLocked(*a, now_ms);  // what is left is held by tasks still running
      j["remaining"] = a->remaining;
      j["used"] = a->used;
      j["next_ticket"] = a->next_ticket;
      nlohmann::json active = nlohmann::json::array();
      a->active.ForEach([&](uint64_t ticket, const Reservation& r) {
        auto restored = a->restored_task.find(ticket);
        std::string task = restored != a->restored_task.end() ? restored->second : task_of(key, ticket);
        active.push_back({{"ticket", ticket}, {"task", std::move(task)}, {"counter", a->counters[r.counter]},
                          {"price", r.price}, {"finish", r.finish_ms}, {"outcome", TaskStateName(r.outcome)}});
      });
      j["active"] = std::move(active);
      j["created"] = nlohmann::json::object();
      for (const auto& [counter, times] : a->created) {
        if (!times.empty()) j["created"][counter] = times;
      }
      j["recent"] = a->recent;
    }
    account(key, std::move(j));
  }
}

Status Accounts::ImportAccount(const std::string& key, const nlohmann::json& j) {
  auto account = std::make_shared<Account>();
  try {
    account->remaining = StateNumber(j.at("remaining"));
    account->used = StateNumber(j.at("used"));
    account->next_ticket = StateInteger<uint64_t>(j.at("next_ticket"));
    for (const nlohmann::json& r : j.at("active")) {
      Reservation res;
      const uint64_t ticket = StateInteger<uint64_t>(r.at("ticket"));
      std::string task_id = r.at("task").get<std::string>();
      const std::string counter = r.at("counter").get<std::string>();
      res.price = StateNumber(r.at("price"));
      res.finish_ms = StateInteger<int64_t>(r.at("finish"));
      if (!TaskStateFromName(r.at("outcome").get<std::string>(), &res.outcome)) {
        return InvalidArgument("account " + key + ": active: unknown outcome");
      }
      if (!AddReservationLocked(*account, ticket, std::move(res), counter)) {
        return InvalidArgument("account " + key + ": active: ticket " + std::to_string(ticket) + " twice");
      }
      if (!task_id.empty()) {  // a later reservation bound to the same id wins, as it did
        auto earlier = account->restored_ticket.find(task_id);
        if (earlier != account->restored_ticket.end()) UnbindRestoredLocked(*account, earlier->second);
        auto bound = account->restored_task.emplace(ticket, std::move(task_id)).first;
        account->restored_ticket.emplace(bound->second, ticket);
      }
    }
    for (const auto& [counter, times] : j.at("created").items()) {
      for (const nlohmann::json& at : times) account->created[counter].push_back(StateInteger<int64_t>(at));
    }
    for (const nlohmann::json& at : j.at("recent")) account->recent.push_back(StateInteger<int64_t>(at));
  } catch (const std::exception&) {
    return InvalidArgument("account " + key + ": a field is missing or of the wrong type");
  }
  std::lock_guard<std::mutex> lock(mu_);
  accounts_[key] = std::move(account);
  return Status::Ok();
}

uint64_t Accounts::TakeRestoredTicket(std::string_view key, const std::string& task_id) {
  std::shared_ptr<Account> account;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = accounts_.find(std::string(key));
    if (it == accounts_.end()) return 0;
    account = it->second;
  }
  std::lock_guard<std::mutex> lock(account->mu);
  auto bound = account->restored_ticket.find(task_id);
  if (bound == account->restored_ticket.end()) return 0;
  const uint64_t ticket = bound->second;
  UnbindRestoredLocked(*account, ticket);
  return ticket;
}

}  // namespace imagine
