// Request workers per CPU (issue 23): `server.threads: 0` means one worker per CPU the
// emulator may run on, and at least two when a handler may wait on I/O (input fetches, a
// state directory, proxy mode), so that one waiting handler never holds up the rest. On
// one CPU a second worker only preempted the first in the middle of requests. Counted as
// the emulator's threads named http-worker, in emulators started under a one-CPU affinity
// (the child of fork inherits the forking thread's mask).
#include <doctest/doctest.h>

#include <dirent.h>
#include <sched.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "support/emulator_process.h"
#include "support/scratch.h"
#include "support/test_receiver.h"

namespace imagine::testing {
namespace {

// The emulator's threads named http-worker (its request workers).
int Workers(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) {
    std::ifstream comm(dir + "/" + e->d_name + "/comm");
    std::string name;
    if (std::getline(comm, name) && name == "http-worker") ++n;
  }
  closedir(d);
  return n;
}

// Pins this thread to one CPU (the first it may use) while it lives; restores the mask after.
class OneCpu {
 public:
  OneCpu() {
    CPU_ZERO(&all_);
    ok_ = sched_getaffinity(0, sizeof all_, &all_) == 0;
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &all_)) {
        CPU_SET(cpu, &one);
        break;
      }
    }
    ok_ = ok_ && sched_setaffinity(0, sizeof one, &one) == 0;
  }
  ~OneCpu() { sched_setaffinity(0, sizeof all_, &all_); }
  bool ok() const { return ok_; }

 private:
  cpu_set_t all_;
  bool ok_ = false;
};

std::unique_ptr<EmulatorProcess> StartOnOneCpu(std::vector<std::string> args) {
  OneCpu pinned;
  REQUIRE(pinned.ok());
  args.insert(args.begin(), {"--clock", "virtual", "--seed", "1"});
  return std::make_unique<EmulatorProcess>(args);
}

}  // namespace

TEST_CASE("issue 23: on one CPU the emulator serves with one worker, with two when a handler may wait on I/O") {
  auto plain = StartOnOneCpu({});
  REQUIRE(plain->Get("/_emulator/health").status == 200);
  INFO("default: " << Workers(plain->pid()) << " workers");
  CHECK(Workers(plain->pid()) == 1);

  // Both core workers are started after the listening line: wait for the second.
  auto fetching = StartOnOneCpu({"--inputs-fetch", "on"});
  CHECK(PollUntil([&] { return Workers(fetching->pid()) == 2; }));
  auto stateful = StartOnOneCpu({"--config", WriteTempFile("state: {dir: " + ScratchSubdir("workers") + "}\n")});
  CHECK(PollUntil([&] { return Workers(stateful->pid()) == 2; }));
  INFO("inputs.fetch on: " << Workers(fetching->pid()) << ", a state directory: " << Workers(stateful->pid()));
}

}  // namespace imagine::testing
