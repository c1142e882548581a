#include "engine/state_records.h"

namespace imagine {
namespace {
// The latest instant a record may name (year 2286); a stuck task's finish is kNever.
constexpr int64_t kMaxStateMs = 10'000'000'000'000'000;
}  // namespace

bool TaskStateFromName(const std::string& name, TaskState* out) {
  for (size_t s = 0; s < kTaskStateCount; ++s) {
    if (name == TaskStateName(static_cast<TaskState>(s))) {
      *out = static_cast<TaskState>(s);
      return true;
    }
  }
  return false;
}

nlohmann::json TaskToStateJson(const Task& t) {
  nlohmann::json j;
  j["id"] = t.id;
  j["provider"] = ProviderName(t.provider);
  j["key"] = t.owner_key;
  j["model"] = t.model;
  j["request"] = t.request_json;
  if (!t.callback_url.empty()) j["callback_url"] = t.callback_url;
  j["output"] = {{"kind", t.output.kind == MediaKind::kImage ? "image" : "video"},
                 {"count", t.output.count},
                 {"quality_p", t.output.quality_p},
                 {"duration_s", t.output.duration_s},
                 {"upscaled", t.output.upscaled}};
  j["timeline"] = {t.timeline.created_ms, t.timeline.queuing_ms, t.timeline.generating_ms, t.timeline.finished_ms,
                   TaskStateName(t.timeline.outcome)};
  if (!t.fail_reason.empty()) j["fail_reason"] = t.fail_reason;
  if (!t.fail_code.empty()) j["fail_code"] = t.fail_code;
  if (!t.fail_message.empty()) j["fail_message"] = t.fail_message;
  j["credits"] = t.credits;
  if (!t.scenario.empty()) j["scenario"] = t.scenario;
  if (!t.progress_script.empty()) j["progress_script"] = t.progress_script;
  if (t.not_ready_polls != 0) j["not_ready_polls"] = t.not_ready_polls;
  if (t.results_expired) j["results_expired"] = true;
  if (!t.callback_faults.empty()) j["callback_faults"] = t.callback_faults;
  j["seen"] = TaskStateName(t.notified);
  return j;
}

double StateNumber(const nlohmann::json& j) {
  if (!j.is_number()) throw std::invalid_argument("not a number");
  const double v = j.get<double>();
  if (!(v >= -1e15 && v <= 1e15)) throw std::invalid_argument("number out of range");
  return v;
}

void CheckStateNumbers(const nlohmann::json& j) {
  if (j.is_structured()) {
    for (const nlohmann::json& item : j) CheckStateNumbers(item);
  } else if (j.is_number_float() && !(j.get<double>() >= -2147483648.0 && j.get<double>() < 2147483648.0)) {
    throw std::invalid_argument("number out of range");
  } else if (j.is_number_unsigned() && j.get<uint64_t>() > 2147483647u) {
    throw std::invalid_argument("number out of range");
  } else if (j.is_number_integer() && !j.is_number_unsigned() && (j.get<int64_t>() < -2147483648LL || j.get<int64_t>() > 2147483647LL)) {
    throw std::invalid_argument("number out of range");
  }
}

bool StateInstantInRange(int64_t ms) { return ms >= 0 && ms <= kMaxStateMs; }

StatusOr<Task> TaskFromStateJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("task: must be an object");
  std::string field;
  try {
    Task t;
    field = "id";
    t.id = j.at("id").get<std::string>();
    field = "provider";
    const std::string provider = j.at("provider").get<std::string>();
    const std::optional<Provider> registered = FindProvider(provider);
    if (!registered) return InvalidArgument("task.provider: unknown provider " + provider);
    t.provider = *registered;
    field = "key";
    t.owner_key = j.at("key").get<std::string>();
    field = "model";
    t.model = j.at("model").get<std::string>();
    field = "request";
    t.request_json = j.at("request").get<std::string>();
    field = "callback_url";
    t.callback_url = j.value("callback_url", "");
    field = "output";
    const nlohmann::json& o = j.at("output");
    t.output.kind = o.at("kind").get<std::string>() == "image" ? MediaKind::kImage : MediaKind::kVideo;
    t.output.count = StateInteger<int>(o.at("count"));
    t.output.quality_p = StateInteger<int>(o.at("quality_p"));
    t.output.duration_s = StateInteger<int>(o.at("duration_s"));
    t.output.upscaled = o.at("upscaled").get<bool>();
    if (t.output.count < 1 || t.output.count > 100 || t.output.quality_p < 1 || t.output.quality_p > 10000 ||
        t.output.duration_s < 1 || t.output.duration_s > 3600) {
      return InvalidArgument("task.output: count, quality_p or duration_s out of range");
    }
    field = "timeline";
    const nlohmann::json& tl = j.at("timeline");
    if (!tl.is_array() || tl.size() != 5) return InvalidArgument("task.timeline: must be [created, queuing, generating, finished, outcome]");
    t.timeline.created_ms = StateInteger<int64_t>(tl[0]);
    t.timeline.queuing_ms = StateInteger<int64_t>(tl[1]);
    t.timeline.generating_ms = StateInteger<int64_t>(tl[2]);
    t.timeline.finished_ms = StateInteger<int64_t>(tl[3]);
    if (!TaskStateFromName(tl[4].get<std::string>(), &t.timeline.outcome) || !IsTerminal(t.timeline.outcome)) {
      return InvalidArgument("task.timeline: the outcome must be succeeded or failed");
    }
    if (t.timeline.created_ms < 0 || t.timeline.generating_ms > kMaxStateMs ||
        (t.timeline.finished_ms > kMaxStateMs && t.timeline.finished_ms != kNever)) {
      return InvalidArgument("task.timeline: an instant out of range");
    }
    if (!(t.timeline.created_ms <= t.timeline.queuing_ms && t.timeline.queuing_ms <= t.timeline.generating_ms &&
          t.timeline.generating_ms <= t.timeline.finished_ms)) {
      return InvalidArgument("task.timeline: the stage boundaries must not decrease");
    }
    field = "fail_reason";
    t.fail_reason = j.value("fail_reason", "");
    field = "fail_code";
    t.fail_code = j.value("fail_code", "");
    field = "fail_message";
    t.fail_message = j.value("fail_message", "");
    field = "credits";
    t.credits = StateNumber(j.at("credits"));
    if (!(t.credits >= 0 && t.credits <= 1e12)) return InvalidArgument("task.credits: out of range");
    field = "scenario";
    t.scenario = j.value("scenario", "");
    field = "progress_script";
    if (j.contains("progress_script")) {
      for (const nlohmann::json& p : j.at("progress_script")) t.progress_script.push_back(StateInteger<int>(p));
    }
    for (int p : t.progress_script) {
      if (p < 0 || p > 100 || t.progress_script.size() > 1000) return InvalidArgument("task.progress_script: out of range");
    }
    field = "not_ready_polls";
    t.not_ready_polls = j.contains("not_ready_polls") ? StateInteger<int>(j["not_ready_polls"]) : 0;
    if (t.not_ready_polls < 0) return InvalidArgument("task.not_ready_polls: must be >= 0");
    field = "results_expired";
    t.results_expired = j.value("results_expired", false);
    field = "callback_faults";
    t.callback_faults = j.value("callback_faults", "");
    field = "seen";
    if (!TaskStateFromName(j.at("seen").get<std::string>(), &t.notified)) return InvalidArgument("task.seen: unknown state");
    return t;
  } catch (const std::exception&) {
    return InvalidArgument("task." + field + ": missing or of the wrong type");
  }
}

}  // namespace imagine
