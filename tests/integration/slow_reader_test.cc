// Slow readers cost no thread (issue 22 §2): many clients ask for large answers and never
// read them; the emulator keeps their unsent bytes, not a worker each, so its thread count
// stays near where it started and a normal request is still answered. Assertions are on
// counts and answers, never on time (a poll's 60 s cap only ends a hang).
#include <doctest/doctest.h>

#include <poll.h>
#include <sys/socket.h>

#include <fstream>
#include <cstdio>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include "support/emulator_process.h"
#include "support/raw_socket.h"
#include "support/test_receiver.h"

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

// A loopback connection with a 4 KiB receive buffer (set before connecting, so the window
// it offers stays small) that sends and never reads.
int SlowReader(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The state of the emulator's side of the connection from `client_port` to its `server_port`
// in the kernel's TCP table (hex, "01" = established), or "" when it is gone.
std::string ServerSideState(int server_port, int client_port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  char local[16], remote[16];
  std::snprintf(local, sizeof local, ":%04X", server_port);
  std::snprintf(remote, sizeof remote, ":%04X", client_port);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string sl, local_address, rem_address, state;
    fields >> sl >> local_address >> rem_address >> state;
    if (local_address.size() > 5 && rem_address.size() > 5 &&
        local_address.compare(local_address.size() - 5, 5, local) == 0 &&
        rem_address.compare(rem_address.size() - 5, 5, remote) == 0) {
      return state;
    }
  }
  return "";
}

int LocalPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("issue 22: a client that does not take its answer within server.write_timeout_s is disconnected") {
  EmulatorProcess emu({"--clock", "virtual", "--config", WriteTempFile("server: {write_timeout_s: 1, read_timeout_s: 600}\n")});
  std::string requests;
  for (int i = 0; i < 128; ++i) requests += "GET /_emulator/openapi/evolink.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const int fd = SlowReader(emu.port());
  REQUIRE(fd >= 0);
  REQUIRE(::send(fd, requests.data(), requests.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(requests.size()));
  pollfd p{fd, POLLIN, 0};
  REQUIRE(::poll(&p, 1, kRawAnswerTimeoutS * 1000) == 1);  // the answers have started
  // The event: the emulator gives the connection up (its side leaves "established").
  const int client_port = LocalPort(fd);
  CHECK(PollUntil([&] { return ServerSideState(emu.port(), client_port) != "01"; }));
  // What arrived is less than the 128 answers: the rest was never sent.
  size_t received = 0;
  char buf[65536];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) received += static_cast<size_t>(n);
  const size_t one = emu.Get("/_emulator/openapi/evolink.json").body.size();
  INFO("received " << received << " bytes of 128 answers of " << one);
  CHECK(received < 128 * one);
  ::close(fd);
  // The emulator still answers.
  CHECK(emu.Get("/_emulator/health").status == 200);
}

TEST_CASE("issue 22: 50 clients that never read their large answers hold no worker thread each") {
  EmulatorProcess emu;
  // Start-up is over when the first request is answered; count the threads then.
  {
    Socket warm(emu.port());
    REQUIRE(warm.Send("GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    REQUIRE(Status(warm.ReadResponse()) == 200);
  }
  const int threads_before = Threads(emu.pid());
  REQUIRE(threads_before > 0);

  // 128 pipelined requests for the 42 KB Evolink document each (5.4 MB): more than the
  // socket buffers between a client that does not read and the emulator hold (loopback
  // send buffers grow to about 2.6 MB here), so a server that blocks on a full socket
  // blocks a worker per client.
  std::string requests;
  for (int i = 0; i < 128; ++i) requests += "GET /_emulator/openapi/evolink.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  constexpr int kClients = 50;
  std::vector<int> fds;
  for (int i = 0; i < kClients; ++i) {
    int fd = SlowReader(emu.port());
    REQUIRE(fd >= 0);
    REQUIRE(::send(fd, requests.data(), requests.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(requests.size()));
    fds.push_back(fd);
  }
  // Every client's answer has started to arrive: each request was taken and its answer is
  // being written (a server that blocks a worker per answer holds 50 of them now).
  int started = 0;
  for (int fd : fds) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kRawAnswerTimeoutS * 1000) == 1) ++started;
  }
  CHECK(started == kClients);
  const int threads_during = Threads(emu.pid());

  // A normal request on a new connection is still answered.
  Socket normal(emu.port());
  REQUIRE(normal.Send("GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  CHECK(Status(normal.ReadResponse()) == 200);

  INFO("threads before " << threads_before << ", while 50 answers wait " << threads_during);
  CHECK(threads_during <= threads_before + 8);
  for (int fd : fds) ::close(fd);
}

}  // namespace imagine::testing
