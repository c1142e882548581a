// Options of the engine and of each model it runs, filled from the config once at
// start-up and read-only afterwards. Every default lives here, with its unit.
#ifndef IMAGINE_ENGINE_ENGINE_OPTIONS_H_
#define IMAGINE_ENGINE_ENGINE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/task.h"

namespace imagine {

// How long each stage lasts, drawn uniformly per task from the seeded random source.
// generating = total - waiting - queuing (at least 1 s).
struct StageTiming {
  double waiting_min_s = 0.2;  // in `waiting` before the queue picks it up
  double waiting_max_s = 1.0;
  double queuing_min_s = 0.5;  // in `queuing` before generation starts
  double queuing_max_s = 2.0;
  double total_min_s = 15;     // creation to terminal state
  double total_max_s = 20;
  // "High complexity prompts": a prompt longer than complex_over_chars characters (code
  // points) draws its total from [complex_total_min_s, complex_total_max_s]. 0 = off.
  int complex_over_chars = 0;
  double complex_total_min_s = 20;
  double complex_total_max_s = 30;
};

struct ModelOptions {
  std::string name;                  // as the provider spells it
  MediaKind output = MediaKind::kVideo;
  int outputs = 1;                   // result files per task (6 for text-to-image)
  StageTiming timing;
  double price = 0;                  // credits per task
};

struct EngineOptions {
  uint64_t seed = 1;                    // seeds ids and stage durations
  int64_t result_ttl_ms = 86400000;     // result links answer 404 this long after completion (24 h)
  std::string public_url;               // base of result links, e.g. "http://127.0.0.1:8080"
  size_t max_stored_tasks = 1'000'000;  // tasks kept; the earliest finished are evicted past it
  size_t max_stored_bytes = size_t{256} << 20;  // their request bodies and strings; likewise
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_ENGINE_OPTIONS_H_
