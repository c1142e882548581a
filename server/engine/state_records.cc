#include "engine/state_records.h"

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace imagine {
namespace {

using json = nlohmann::json;

// How a member of each type is read back: a wrong type, or an integer out of the member's
// range, throws (the schema has refused both already; no caller reads one unchecked).
void ReadValue(const json& v, std::string& out) { out = v.get<std::string>(); }
void ReadValue(const json& v, bool& out) { out = v.get<bool>(); }
void ReadValue(const json& v, int& out) { out = StateInteger<int>(v); }
void ReadValue(const json& v, int64_t& out) { out = StateInteger<int64_t>(v); }
void ReadValue(const json& v, uint64_t& out) { out = StateInteger<uint64_t>(v); }
void ReadValue(const json& v, double& out) { out = StateNumber(v); }
void ReadValue(const json& v, std::vector<int>& out) {
  if (!v.is_array()) throw std::invalid_argument("not an array");
  out.clear();
  for (const json& item : v) out.push_back(StateInteger<int>(item));
}
void ReadValue(const json& v, TaskState& out) {
  if (!TaskStateFromName(v.get<std::string>(), &out)) throw std::invalid_argument("unknown state");
}
json WriteValue(TaskState s) { return TaskStateName(s); }
template <typename V>
json WriteValue(const V& v) {
  return v;
}

// One field of a record's object for a struct S: its name, its JSON from S (null: left out)
// and how it is read back. A table of them is the one list both directions go through.
template <typename S>
struct Field {
  const char* name;
  bool optional;                    // may be absent (left out while at its default)
  json (*write)(const S& s);
  void (*read)(const json& v, S& s);  // null: read apart (see TaskFromStateJson)
};

template <typename M>
struct MemberOf;
template <typename S, typename V>
struct MemberOf<V S::*> {
  using Struct = S;
  using Value = V;
};

// A member written as it is, always there.
template <auto kMember, typename S = typename MemberOf<decltype(kMember)>::Struct>
constexpr Field<S> Always(const char* name) {
  return {name, false, [](const S& s) { return WriteValue(s.*kMember); },
          [](const json& v, S& s) { ReadValue(v, s.*kMember); }};
}

// A member left out while it holds its type's default ("", 0, false, nothing).
template <auto kMember, typename S = typename MemberOf<decltype(kMember)>::Struct>
constexpr Field<S> UnlessDefault(const char* name) {
  using Value = typename MemberOf<decltype(kMember)>::Value;
  return {name, true, [](const S& s) { return s.*kMember == Value{} ? json() : WriteValue(s.*kMember); },
          [](const json& v, S& s) { ReadValue(v, s.*kMember); }};
}

template <typename S, size_t N>
json WriteFields(const S& s, const Field<S> (&table)[N]) {
  json j = json::object();
  for (const Field<S>& f : table) {
    json v = f.write(s);
    if (!v.is_null()) j[f.name] = std::move(v);
  }
  return j;
}

// Throws for a field missing (unless optional) or of the wrong type; *field names it.
template <typename S, size_t N>
void ReadFields(const json& j, S& s, const Field<S> (&table)[N], std::string* field) {
  if (!j.is_object()) throw std::invalid_argument("not an object");
  for (const Field<S>& f : table) {
    *field = f.name;
    const auto v = j.find(f.name);
    if (v == j.end() && !f.optional) throw std::invalid_argument("missing");
    if (v != j.end() && f.read != nullptr) f.read(*v, s);
  }
}

// A member that is itself an object of `kTable`'s fields.
template <auto kMember, const auto& kTable, typename S = typename MemberOf<decltype(kMember)>::Struct>
constexpr Field<S> Object(const char* name) {
  return {name, false, [](const S& s) { return WriteFields(s.*kMember, kTable); },
          [](const json& v, S& s) {
            std::string inner;
            ReadFields(v, s.*kMember, kTable, &inner);
          }};
}

const Field<OutputSpec> kOutputFields[] = {
    {"kind", false, [](const OutputSpec& o) -> json { return o.kind == MediaKind::kImage ? "image" : "video"; },
     [](const json& v, OutputSpec& o) {
       o.kind = v.get<std::string>() == "image" ? MediaKind::kImage : MediaKind::kVideo;  // the schema allows these two
     }},
    Always<&OutputSpec::count>("count"),
    Always<&OutputSpec::quality_p>("quality_p"),
    Always<&OutputSpec::duration_s>("duration_s"),
    Always<&OutputSpec::upscaled>("upscaled"),
};

const Field<Timeline> kTimelineFields[] = {
    Always<&Timeline::created_ms>("created"),
    Always<&Timeline::queuing_ms>("queuing"),
    Always<&Timeline::generating_ms>("generating"),
    Always<&Timeline::finished_ms>("finished"),
    Always<&Timeline::outcome>("outcome"),
};

// A task's fields (the schema's Task): a new field of Task is one row here.
const Field<Task> kTaskFields[] = {
    Always<&Task::id>("id"),
    {"provider", false, [](const Task& t) -> json { return ProviderName(t.provider); }, nullptr},  // read by name below
    Always<&Task::owner_key>("key"),
    Always<&Task::model>("model"),
    Always<&Task::request_json>("request"),
    UnlessDefault<&Task::callback_url>("callback_url"),
    Object<&Task::output, kOutputFields>("output"),
    Object<&Task::timeline, kTimelineFields>("timeline"),
    UnlessDefault<&Task::fail_reason>("fail_reason"),
    UnlessDefault<&Task::fail_code>("fail_code"),
    UnlessDefault<&Task::fail_message>("fail_message"),
    Always<&Task::credits>("credits"),
    UnlessDefault<&Task::scenario>("scenario"),
    UnlessDefault<&Task::progress_script>("progress_script"),
    UnlessDefault<&Task::not_ready_polls>("not_ready_polls"),
    UnlessDefault<&Task::results_expired>("results_expired"),
    UnlessDefault<&Task::callback_faults>("callback_faults"),
    Always<&Task::notified>("seen"),
};

// A charge's fields (the schema's Charge); its account pointer is a run-time detail.
const Field<Accounts::Ticket> kChargeFields[] = {
    Always<&Accounts::Ticket::id>("ticket"),
    Always<&Accounts::Ticket::counter>("counter"),
    Always<&Accounts::Ticket::price>("price"),
    Always<&Accounts::Ticket::at_ms>("at"),
    Always<&Accounts::Ticket::burst>("burst"),
    Always<&Accounts::Ticket::hourly>("hourly"),
};

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

nlohmann::json TaskToStateJson(const Task& t) { return WriteFields(t, kTaskFields); }

StatusOr<Task> TaskFromStateJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("task: must be an object");
  std::string field;
  try {
    Task t;
    ReadFields(j, t, kTaskFields, &field);
    field = "provider";
    const std::string provider = j.at("provider").get<std::string>();
    const std::optional<Provider> registered = FindProvider(provider);
    if (!registered) return InvalidArgument("task.provider: unknown provider " + provider);
    t.provider = *registered;
    const Timeline& tl = t.timeline;
    if (!(tl.created_ms <= tl.queuing_ms && tl.queuing_ms <= tl.generating_ms && tl.generating_ms <= tl.finished_ms)) {
      return InvalidArgument("task.timeline: the stage boundaries must not decrease");
    }
    return t;
  } catch (const std::exception&) {
    return InvalidArgument("task." + field + ": missing or of the wrong type");
  }
}

nlohmann::json ChargeToStateJson(const Accounts::Ticket& charge) { return WriteFields(charge, kChargeFields); }

Accounts::Ticket ChargeFromStateJson(const nlohmann::json& j) {
  Accounts::Ticket charge;
  std::string field;
  ReadFields(j, charge, kChargeFields, &field);
  return charge;
}
}  // namespace imagine
