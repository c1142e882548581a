// Request workers per CPU (issue 23): `server.threads: 0` means one worker per CPU the
// emulator may run on, and at least two when a handler may wait on I/O (input fetches,
// state.fsync always, proxy mode), so that one waiting handler never holds up the rest. On
// one CPU a second worker only preempted the first in the middle of requests. Checked as
// thread counts at the first answer of emulators started under a one-CPU affinity (the
// child of fork inherits the forking thread's mask): the configurations differ only in
// whether a handler may wait, so their counts differ by exactly the extra worker.
#include <doctest/doctest.h>

#include <sched.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/emulator_process.h"
#include "support/scratch.h"

namespace imagine::testing {
namespace {

int Threads(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

// The emulator's thread count once it has answered its first request, started with `args`
// on one CPU (the first this test may use).
int ThreadsOnOneCpu(std::vector<std::string> args) {
  cpu_set_t all;
  CPU_ZERO(&all);
  REQUIRE(sched_getaffinity(0, sizeof all, &all) == 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &all)) {
      CPU_SET(cpu, &one);
      break;
    }
  }
  REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
  args.insert(args.begin(), {"--clock", "virtual", "--seed", "1"});
  EmulatorProcess emu(args);
  REQUIRE(sched_setaffinity(0, sizeof all, &all) == 0);
  REQUIRE(emu.Get("/_emulator/health").status == 200);
  return Threads(emu.pid());
}

}  // namespace

TEST_CASE("issue 23: on one CPU the emulator serves with one worker, with two when a handler may wait on I/O") {
  const int plain = ThreadsOnOneCpu({});
  REQUIRE(plain > 0);
  const int fetching = ThreadsOnOneCpu({"--inputs-fetch", "on"});
  INFO("threads: default " << plain << ", inputs.fetch on " << fetching);
  CHECK(fetching == plain + 1);

  const std::string batch = ScratchSubdir("workers-batch");
  const std::string always = ScratchSubdir("workers-always");
  const int batched = ThreadsOnOneCpu({"--config", WriteTempFile("state: {dir: " + batch + ", fsync: batch}\n")});
  const int synced = ThreadsOnOneCpu({"--config", WriteTempFile("state: {dir: " + always + ", fsync: always}\n")});
  INFO("threads with a state directory: fsync batch " << batched << ", fsync always " << synced);
  CHECK(synced == batched + 1);
}

}  // namespace imagine::testing
