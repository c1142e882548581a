// libFuzzer target: a state directory's records read back into a fresh engine
// (Engine::ApplyStateRecord, the task and account codecs), one JSON object per line, then
// the engine is used as a restored one would be: listed, counted, charged, advanced, and
// snapshotted. Damaged records must be refused with a Status, never crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/engine.h"

namespace {
std::string Id(imagine::Random& random, int64_t) { return "f" + std::to_string(random.Next() % 1000); }
}  // namespace

// The providers the seeds name, registered as the emulator registers them at start-up.
static const bool kProviders = (imagine::InternProvider("apikley"), imagine::InternProvider("evolink"), true);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  imagine::EngineOptions options;
  options.seed = 1;
  options.max_stored_tasks = 64;
  imagine::Engine engine(options, std::make_unique<imagine::VirtualClock>(1'760'000'000'000));
  std::string_view text(reinterpret_cast<const char*>(data), size);
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string line(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (!record.is_discarded()) (void)engine.ApplyStateRecord(record);
  }
  imagine::Engine::TaskFilter all;
  size_t total = 0;
  for (const imagine::Task& t : engine.ListTasks(all, &total)) {
    (void)t.timeline.ProgressAt(engine.NowMs());
    (void)imagine::ScriptedProgress(t.timeline, t.progress_script, engine.NowMs());
    (void)engine.accounts().BalanceOf(t.owner_key, engine.NowMs());
  }
  (void)engine.CountByState(engine.NowMs());
  imagine::ModelOptions model;
  model.price = 1;
  imagine::NewTask spec;
  spec.owner_key = "k";
  spec.model = &model;
  spec.reported_model = "m";
  (void)engine.CreateTask(spec, &Id);
  (void)engine.AdvanceClock(60'000);
  (void)engine.WriteStateSnapshot([](const std::string&) { return imagine::Status::Ok(); },
                                  [] { return imagine::Status::Ok(); });
  return 0;
}
