// Out of file descriptors (issue 22 §2): the emulator refuses the connections it has no
// descriptor for and logs that once per episode, with the count (it logged one warning
// per refused connection: 4 113 lines for ~112 refusals). The emulator's open-files limit
// is lowered from outside (prlimit) once it runs, so the test process keeps its own.
#include <doctest/doctest.h>

#include <sys/resource.h>

#include <memory>
#include <string>
#include <vector>

#include "support/emulator_process.h"
#include "support/raw_socket.h"
#include "support/test_receiver.h"

namespace imagine::testing {
namespace {

size_t CountOccurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("issue 22: out of file descriptors, refused connections are logged once per episode with a count") {
  EmulatorProcess emu;
  rlimit low{64, 64};
  REQUIRE(::prlimit(emu.pid(), RLIMIT_NOFILE, &low, nullptr) == 0);
  const std::string health = "GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  // 100 keep-alive connections at once: those past the limit are taken and closed.
  std::vector<std::unique_ptr<Socket>> clients;
  int served = 0, refused = 0;
  for (int i = 0; i < 100; ++i) {
    clients.push_back(std::make_unique<Socket>(emu.port()));
    Socket& s = *clients.back();
    if (s.ok() && s.Send(health) && Status(s.ReadResponse()) == 200) {
      ++served;
    } else {
      ++refused;
    }
  }
  INFO("served " << served << ", refused " << refused);
  REQUIRE(refused >= 2);
  REQUIRE(served >= 1);
  clients.clear();  // descriptors come back; the next connection ends the episode
  const std::string line = "out of file descriptors: ";
  bool logged = false;
  for (int attempt = 0; attempt < 100 && !logged; ++attempt) {  // a close reaches the emulator asynchronously
    Socket s(emu.port());
    if (s.ok() && s.Send(health) && Status(s.ReadResponse()) == 200) {
      logged = PollUntil([&] { return emu.output().find(line) != std::string::npos; });
    } else {
      ++refused;  // the emulator had not seen the closes yet: one more in the same episode
    }
  }
  REQUIRE(logged);
  const std::string out = emu.output();
  INFO(out);
  CHECK(CountOccurrences(out, line) == 1);
  CHECK(out.find(line + std::to_string(refused) + " connections were refused") != std::string::npos);
}

}  // namespace imagine::testing
