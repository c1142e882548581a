// The task part of the control API: list, detail with history, the actions, and reset.
#include "admin/admin_api.h"
#include "common/text.h"
#include "engine/accounts.h"
#include <set>

#include "engine/media.h"

namespace imagine {
namespace {

std::optional<TaskState> ParseState(std::string_view s) {
  for (TaskState st : {TaskState::kWaiting, TaskState::kQueuing, TaskState::kGenerating, TaskState::kSucceeded,
                       TaskState::kFailed}) {
    if (s == TaskStateName(st)) return st;
  }
  return std::nullopt;
}

// What a person calls a key: the whole key when it is not secret-looking (words joined by
// '-' or '_', at most 24 characters, like "demo-key"), else its first and last 4 characters.
std::string KeyLabel(const std::string& key) {
  bool words = !key.empty() && key.size() <= 24;
  bool after_separator = true;
  for (char c : key) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (letter) {
      after_separator = false;
    } else if ((c == '-' || c == '_') && !after_separator) {
      after_separator = true;
    } else {
      words = false;
    }
  }
  if (words && !after_separator) return key;
  if (key.size() <= 8) return MaskSecret(key);
  return key.substr(0, 4) + "…" + key.substr(key.size() - 4);
}

const char* ProfileName(Accounts::ProfileOrigin origin) {
  switch (origin) {
    case Accounts::ProfileOrigin::kConfig: return "config";
    case Accounts::ProfileOrigin::kRunTime: return "edited";
    case Accounts::ProfileOrigin::kDefault: break;
  }
  return "default";
}

nlohmann::ordered_json Summary(const Task& t, int64_t now, std::string_view public_url, const Accounts& accounts) {
  const TaskState state = t.timeline.StateAt(now);
  nlohmann::ordered_json j;
  j["id"] = t.id;
  j["provider"] = ProviderName(t.provider);
  j["key"] = MaskSecret(t.owner_key);
  j["key_label"] = KeyLabel(t.owner_key);
  j["key_profile"] = ProfileName(accounts.OriginOf(t.owner_key));
  j["model"] = t.model;
  j["state"] = TaskStateName(state);
  j["progress"] = ScriptedProgress(t.timeline, t.progress_script, now);
  j["created_ms"] = t.timeline.created_ms;
  j["updated_ms"] = t.timeline.UpdatedAt(now);
  j["finished_ms"] = t.timeline.finished_ms == kNever ? nlohmann::ordered_json(nullptr)
                                                      : nlohmann::ordered_json(t.timeline.finished_ms);
  j["scenario"] = t.scenario;
  j["callback_url"] = t.callback_url;
  j["results"] = state == TaskState::kSucceeded ? nlohmann::ordered_json(ResultUrls(public_url, t))
                                                : nlohmann::ordered_json::array();
  return j;
}

nlohmann::ordered_json Detail(const Task& t, int64_t now, std::string_view public_url, const Accounts& accounts) {
  nlohmann::ordered_json j = Summary(t, now, public_url, accounts);
  nlohmann::ordered_json history = nlohmann::ordered_json::array();
  for (const auto& [state, at] : t.timeline.Visited(now)) {
    history.push_back({{"state", TaskStateName(state)}, {"at_ms", at}});
  }
  j["history"] = std::move(history);
  j["request"] = nlohmann::json::parse(t.request_json, nullptr, false);
  if (t.timeline.outcome == TaskState::kFailed) {
    j["failure"] = {{"reason", t.fail_reason}, {"code", t.fail_code}, {"message", t.fail_message}};
  } else {
    j["failure"] = nullptr;
  }
  return j;
}

}  // namespace

void AdminApi::AddTaskHandlers(std::map<std::string, Handler>* h) {
  (*h)["listTasks"] = [this](ApiRequest& req) {
    auto params = Params(req, "listTasks");
    if (!params.ok()) return RenderError(params.status());
    const nlohmann::json& p = *params;
    Engine::TaskFilter f;
    if (p.contains("provider")) f.provider = FindProvider(p["provider"].get<std::string>());  // an enum of the document
    f.key = p.value("key", "");
    f.model = p.value("model", "");
    if (p.contains("state")) f.state = ParseState(p["state"].get<std::string>());
    f.offset = p.at("offset").get<size_t>();
    f.limit = p.at("limit").get<size_t>();
    size_t total = 0;
    const int64_t now = engine_->NowMs();
    nlohmann::ordered_json tasks = nlohmann::ordered_json::array();
    for (const Task& t : engine_->ListTasks(f, &total)) {
      tasks.push_back(Summary(t, now, engine_->options().public_url, engine_->accounts()));
    }
    nlohmann::ordered_json j;
    j["total"] = total;
    j["offset"] = f.offset;
    j["limit"] = f.limit;
    j["tasks"] = std::move(tasks);
    return AdminJson(200, j);
  };
  (*h)["getTask"] = [this](ApiRequest& req) {
    std::optional<Task> t = engine_->GetTask(req.PathParam("id"));
    if (!t) return RenderError(NotFound("no task " + std::string(req.PathParam("id"))));
    return AdminJson(200, Detail(*t, engine_->NowMs(), engine_->options().public_url, engine_->accounts()));
  };
  auto action = [this](std::function<StatusOr<Task>(ApiRequest&)> act) {
    return [this, act](ApiRequest& req) {
      StatusOr<Task> t = act(req);
      if (!t.ok()) return RenderError(t.status());
      return AdminJson(200, Detail(*t, engine_->NowMs(), engine_->options().public_url, engine_->accounts()));
    };
  };
  (*h)["completeTask"] = action([this](ApiRequest& req) { return engine_->CompleteTask(req.PathParam("id")); });
  (*h)["advanceTask"] = action([this](ApiRequest& req) { return engine_->AdvanceTask(req.PathParam("id")); });
  (*h)["cancelTask"] = action([this](ApiRequest& req) { return engine_->CancelTask(req.PathParam("id")); });
  (*h)["failTask"] = action([this](ApiRequest& req) -> StatusOr<Task> {
    auto body = Body(req, "failTask");
    if (!body.ok()) return body.status();
    return engine_->FailTask(req.PathParam("id"), body->value("reason", "generation_failed"), body->value("code", ""),
                             body->value("message", ""));
  });
  (*h)["reset"] = [this](ApiRequest& req) {
    auto body = Body(req, "reset");
    if (!body.ok()) return RenderError(body.status());
    const std::string key = body->value("key", "");
    std::vector<std::string> ids = key.empty() ? std::vector<std::string>{} : engine_->TaskIdsOf(key);
    const std::set<std::string> forgotten(ids.begin(), ids.end());
    auto removed = engine_->Reset(key, /*restore_configured=*/key.empty());
    if (!removed.ok()) return RenderError(removed.status());
    ctx_.journal->Clear(key);
    if (key.empty()) {
      ctx_.callbacks->ClearAttempts();
    } else {
      ctx_.callbacks->ClearAttempts([&forgotten](const CallbackAttempt& a) { return forgotten.count(a.task_id) == 0; });
    }
    return AdminJson(200, nlohmann::ordered_json{{"removed_tasks", *removed}});
  };
}

}  // namespace imagine
