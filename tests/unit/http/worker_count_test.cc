// server.threads 0: one worker per CPU the affinity allows, fewer under a cgroup CPU quota,
// at least 2 when a handler may wait on I/O; the quota read from cgroup v2's cpu.max or v1's
// cpu.cfs_quota_us / cpu.cfs_period_us.
#include "http/worker_count.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace imagine {
namespace {

TEST_CASE("worker count: the affinity's CPUs, fewer under a quota, at least 2 when handlers wait") {
  CHECK(WorkersFor(1, 0, false) == 1);
  CHECK(WorkersFor(1, 0, true) == 2);
  CHECK(WorkersFor(2, 0, false) == 2);
  CHECK(WorkersFor(4, 0, false) == 4);
  CHECK(WorkersFor(2, 1, false) == 1);  // docker run --cpus 1 on a 2-CPU machine
  CHECK(WorkersFor(2, 1, true) == 2);
  CHECK(WorkersFor(8, 3, false) == 3);
  CHECK(WorkersFor(2, 4, false) == 2);  // a quota above the affinity changes nothing
  CHECK(WorkersFor(0, 0, false) == 1);
}

TEST_CASE("worker count: a cgroup quota in CPUs, rounded up; none for max, -1 or junk") {
  CHECK(QuotaCpusFromCpuMax("100000 100000\n") == 1);
  CHECK(QuotaCpusFromCpuMax("50000 100000") == 1);  // --cpus 0.5
  CHECK(QuotaCpusFromCpuMax("150000 100000\n") == 2);
  CHECK(QuotaCpusFromCpuMax("200000 100000") == 2);
  CHECK(QuotaCpusFromCpuMax("max 100000\n") == 0);
  CHECK(QuotaCpusFromCpuMax("") == 0);
  CHECK(QuotaCpusFromCpuMax("100000") == 0);
  CHECK(QuotaCpusFromCpuMax("x y") == 0);
  CHECK(QuotaCpus(-1, 100000) == 0);  // v1: no quota
  CHECK(QuotaCpus(250000, 100000) == 3);
  CHECK(QuotaCpus(100000, 0) == 0);
}

// Whatever this machine's cgroup says, the count stays within the affinity and above the floor.
TEST_CASE("worker count: read from this process, within its affinity") {
  const int plain = DefaultWorkers(false);
  const int waiting = DefaultWorkers(true);
  CHECK(plain >= 1);
  CHECK(waiting == std::max(2, plain));
}

}  // namespace
}  // namespace imagine
