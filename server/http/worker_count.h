// How many request workers `server.threads: 0` means: one per CPU the emulator may use — the
// CPUs its affinity allows, fewer when a cgroup CPU quota (`docker run --cpus 1`, a CI
// service container's limit) allows less — and at least 2 when a handler may wait on I/O,
// so that one waiting handler never holds up the rest. More workers only preempt each other
// on a busy CPU, stalling the requests they are in the middle of (issue 23).
#ifndef IMAGINE_HTTP_WORKER_COUNT_H_
#define IMAGINE_HTTP_WORKER_COUNT_H_

#include <cstdint>
#include <string_view>

namespace imagine {

// Reads this process's affinity and its cgroup's quota (v2 cpu.max, else v1 cpu.cfs_*).
int DefaultWorkers(bool handlers_wait);

// The rule itself: `affinity_cpus` limited by `quota_cpus` (0 = no quota), at least 1, and at
// least 2 when `handlers_wait`.
int WorkersFor(int affinity_cpus, int quota_cpus, bool handlers_wait);

// The CPUs a cgroup quota allows, rounded up; 0 when there is none or the text is not one.
// v2: cpu.max's "QUOTA PERIOD" ("max PERIOD": none). v1: cpu.cfs_quota_us (-1: none) and
// cpu.cfs_period_us.
int QuotaCpusFromCpuMax(std::string_view cpu_max);
int QuotaCpus(int64_t quota_us, int64_t period_us);

}  // namespace imagine

#endif  // IMAGINE_HTTP_WORKER_COUNT_H_
