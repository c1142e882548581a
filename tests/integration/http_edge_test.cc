// The HTTP edge over raw loopback sockets: every open connection is served (1 000 idle
// keep-alive connections, 2 000 at once), slow and silent clients delay nobody, pipelined
// requests are answered in order, an error answer closes the connection, and the limits
// hold (chunked bodies, header count and size, conflicting Content-Length, a missing
// body). "Answered" always means: before the socket's receive timeout, never a measured time.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/emulator_process.h"
#include "support/raw_socket.h"

namespace imagine::testing {
namespace {


void RaiseFdLimit() {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
}

const std::string kHealth = "GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

std::string Post(const std::string& path, const std::string& body, const std::string& extra = "") {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer vip-key\r\nContent-Type: application/json\r\n" +
         extra + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::string kEvolinkCreate = R"({"model":"grok-imagine-text-to-video","prompt":"a cat"})";

std::vector<std::string> EdgeArgs(const std::string& server_yaml) {
  return {"--clock", "virtual", "--seed", "1", "--config", WriteTempFile("server:\n" + server_yaml)};
}

TEST_CASE("1 000 idle keep-alive connections: a new request is still answered") {
  RaiseFdLimit();
  EmulatorProcess emu;
  std::vector<Socket> idle;
  idle.reserve(1000);
  int answered = 0;
  for (int i = 0; i < 1000; ++i) {
    idle.emplace_back(emu.port());
    if (!idle.back().ok() || !idle.back().Send(kHealth) || Status(idle.back().ReadResponse()) != 200) break;
    ++answered;  // bounded: the first unanswered connection ends the loop
  }
  CHECK(answered == 1000);  // each is now an idle keep-alive connection
  Socket fresh(emu.port());
  REQUIRE(fresh.Send(Post("/v1/videos/generations", kEvolinkCreate)));
  CHECK(Status(fresh.ReadResponse()) == 200);
  // ... and the idle ones still work.
  CHECK(idle.front().Send(kHealth));
  CHECK(Status(idle.front().ReadResponse()) == 200);
  CHECK(idle.back().Send(kHealth));
  CHECK(Status(idle.back().ReadResponse()) == 200);
}

TEST_CASE("2 000 concurrent connections through a burst: every request is answered") {
  RaiseFdLimit();
  EmulatorProcess emu;
  std::vector<Socket> socks;
  socks.reserve(2000);
  for (int i = 0; i < 2000; ++i) socks.emplace_back(emu.port());
  int sent = 0;
  for (size_t i = 0; i < socks.size(); ++i) {
    const std::string req = i % 2 == 0 ? Post("/v1/videos/generations", kEvolinkCreate) : kHealth;
    if (socks[i].ok() && socks[i].Send(req)) ++sent;
  }
  CHECK(sent == 2000);
  int answered = 0;  // read while every connection stays open
  for (Socket& s : socks) {
    if (Status(s.ReadResponse()) != 200) break;  // bounded: one wait at most
    ++answered;
  }
  CHECK(answered == 2000);
}

TEST_CASE("pipelined requests in one write are each answered, in order") {
  EmulatorProcess emu;
  for (int count : {2, 5, 51}) {
    Socket s(emu.port());
    std::string batch;
    for (int i = 0; i < count; ++i) {
      batch += i % 3 == 1 ? Post("/v1/videos/generations", kEvolinkCreate)
                          : "GET /_emulator/health?n=" + std::to_string(i) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }
    REQUIRE(s.Send(batch));
    int in_order = 0;
    for (int i = 0; i < count; ++i) {
      std::string r = s.ReadResponse();
      const bool create = i % 3 == 1;
      if (Status(r) != 200 || (r.find("video.generation.task") != std::string::npos) != create) break;
      ++in_order;
    }
    INFO(count << " pipelined requests");
    CHECK(in_order == count);
  }
}

TEST_CASE("slow and silent clients do not delay a normal request") {
  RaiseFdLimit();
  EmulatorProcess emu;
  std::vector<Socket> slow, silent;
  for (int i = 0; i < 100; ++i) {
    slow.emplace_back(emu.port());
    slow.back().Send("GET /_emulator/health HTTP/1.1\r\nX-Slow: ");
  }
  for (int i = 0; i < 70; ++i) silent.emplace_back(emu.port());
  for (int round = 0; round < 3; ++round) {
    for (Socket& s : slow) s.Send("a");  // one byte each, the slowloris way
    Socket normal(emu.port());
    REQUIRE(normal.Send(Post("/v1/videos/generations", kEvolinkCreate)));
    REQUIRE(Status(normal.ReadResponse()) == 200);  // each round's answer paces the next trickle
  }
}

TEST_CASE("a request not complete within read_timeout_s gets 408 and the connection closes") {
  EmulatorProcess emu(EdgeArgs("  read_timeout_s: 1\n"));
  SUBCASE("headers trickled one byte at a time") {
    Socket s(emu.port());
    s.Send("GET /_emulator/health HTTP/1.1\r\n");
    std::string r;
    for (int i = 0; i < 240 && r.empty(); ++i) {  // ~60 s of trickling at most: a hang, not slowness, fails
      s.Send("X");
      pollfd p{s.fd(), POLLIN, 0};
      if (::poll(&p, 1, 250) > 0) r = s.ReadResponse();
    }
    CHECK(Status(r) == 408);
    CHECK(s.ClosedByServer());
  }
  SUBCASE("Content-Length without the body") {
    Socket s(emu.port());
    s.Send("POST /v1/videos/generations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Length: 50\r\n\r\n{\"mo");
    std::string r = s.ReadResponse();
    CHECK(Status(r) == 408);
    CHECK(s.ClosedByServer());
  }
}

TEST_CASE("an error answer closes the connection") {
  EmulatorProcess emu;
  SUBCASE("414 on a 20 KB target") {
    Socket s(emu.port());
    s.Send("GET /_emulator/health?x=" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(Status(s.ReadResponse()) == 414);
    CHECK(s.ClosedByServer());
  }
  SUBCASE("431 on a 100 KB header line") {
    Socket s(emu.port());
    s.Send("GET /_emulator/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100000, 'a') + "\r\n\r\n");
    CHECK(Status(s.ReadResponse()) == 431);
    CHECK(s.ClosedByServer());
  }
  SUBCASE("400 on a malformed request line") {
    Socket s(emu.port());
    s.Send("GARBAGE\r\n\r\n");
    CHECK(Status(s.ReadResponse()) == 400);
    CHECK(s.ClosedByServer());
  }
}

TEST_CASE("limits hold: chunked bodies, header count, conflicting Content-Length") {
  EmulatorProcess emu(EdgeArgs("  body_limit_bytes: 4096\n"));
  const std::string head =
      "POST /v1/videos/generations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\n";
  SUBCASE("a chunked body over body_limit_bytes is refused at the chunk that crosses it") {
    Socket s(emu.port());
    // The body is never finished: a server that reads it whole never answers.
    s.Send(head + "Transfer-Encoding: chunked\r\n\r\n1000\r\n" + std::string(4096, 'a') + "\r\n10\r\n" +
           std::string(16, 'a') + "\r\n");
    std::string r = s.ReadResponse();
    CHECK(Status(r) == 413);
    CHECK(r.find("request body is larger than the 4096-byte limit") != std::string::npos);
    CHECK(s.ClosedByServer());
  }
  SUBCASE("a chunked body within the limit is served") {
    Socket s(emu.port());
    const std::string body = kEvolinkCreate;
    s.Send(head + "Transfer-Encoding: chunked\r\n\r\n" + "a\r\n" + body.substr(0, 10) + "\r\n" +
           [&] {
             char hex[16];
             std::snprintf(hex, sizeof hex, "%zx", body.size() - 10);
             return std::string(hex);
           }() +
           "\r\n" + body.substr(10) + "\r\n0\r\n\r\n");
    CHECK(Status(s.ReadResponse()) == 200);
  }
  SUBCASE("a Content-Length over the limit is refused before the body is sent") {
    Socket s(emu.port());
    s.Send(head + "Content-Length: 209715200\r\n\r\n");
    CHECK(Status(s.ReadResponse()) == 413);
    CHECK(s.ClosedByServer());
  }
  SUBCASE("10 000 header fields") {
    Socket s(emu.port());
    std::string many = "GET /_emulator/health HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 10000; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
    s.Send(many + "\r\n");
    CHECK(Status(s.ReadResponse()) == 431);
    CHECK(s.ClosedByServer());
  }
  SUBCASE("two different Content-Length headers") {
    Socket s(emu.port());
    s.Send(head + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n{}{}{}");
    CHECK(Status(s.ReadResponse()) == 400);
    CHECK(s.ClosedByServer());
  }
  SUBCASE("Content-Length and Transfer-Encoding together") {
    Socket s(emu.port());
    s.Send(head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    CHECK(Status(s.ReadResponse()) == 400);
    CHECK(s.ClosedByServer());
  }
}

TEST_CASE("HEAD is answered like GET without a body, Connection: close is honoured") {
  EmulatorProcess emu;
  Socket s(emu.port());
  s.Send("HEAD /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  std::string all;
  char buf[4096];
  for (ssize_t n; (n = ::recv(s.fd(), buf, sizeof buf, 0)) > 0;) all.append(buf, static_cast<size_t>(n));
  CHECK(Status(all) == 200);
  CHECK(all.find("Content-Length: ") != std::string::npos);
  CHECK(all.find("Connection: close") != std::string::npos);
  CHECK(all.size() == all.find("\r\n\r\n") + 4);  // no body, and the server closed
}

}  // namespace
}  // namespace imagine::testing
