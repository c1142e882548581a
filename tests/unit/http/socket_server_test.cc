#include "http/socket_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace imagine {
namespace {

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};  // bounded: an unanswered request reads nothing
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string Exchange(int fd, const std::string& path) {
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return "";
  std::string in;
  char buf[4096];
  while (in.find("\r\n\r\n") == std::string::npos || in.back() != '.') {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return "";
    in.append(buf, static_cast<size_t>(n));
  }
  return in.substr(in.find("\r\n\r\n") + 4);
}

}  // namespace

TEST_CASE("SocketServer: a handler that blocks every worker does not hold up other connections") {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false, entered = false;
  SocketServerOptions options;
  options.min_threads = 1;
  SocketServer server(
      options,
      [&](ParsedRequest& req) {
        if (req.path == "/block") {
          std::unique_lock<std::mutex> lock(mu);
          entered = true;
          cv.notify_all();
          cv.wait(lock, [&] { return released; });
        }
        HttpAnswer a;
        a.body = req.path + ".";
        return a;
      },
      [](int status, const std::string& message, const ParsedRequest&) {
        HttpAnswer a;
        a.status = status;
        a.body = message + ".";
        return a;
      });
  REQUIRE(server.Bind("127.0.0.1", 0).ok());
  std::thread run([&] { server.Run(); });
  int blocked = Connect(server.port());
  int other = Connect(server.port());
  REQUIRE(blocked >= 0);
  REQUIRE(other >= 0);
  std::string blocked_answer;
  std::thread client([&] { blocked_answer = Exchange(blocked, "/block"); });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  // The one worker is now stuck in /block; the server must start another for this.
  CHECK(Exchange(other, "/fast") == "/fast.");
  {
    std::lock_guard<std::mutex> lock(mu);
    released = true;
  }
  cv.notify_all();
  client.join();
  CHECK(blocked_answer == "/block.");
  ::close(blocked);
  ::close(other);
  server.Stop();
  run.join();
}

}  // namespace imagine
