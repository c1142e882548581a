// Issue 22 §5 over real HTTP: the control API answers only Host names that are the
// emulator's own (DNS rebinding: a page whose name was re-pointed at 127.0.0.1 sends its
// own name as Host and a matching Origin), on reads as on writes; loopback names, IP
// addresses, the public_url's host and server.allowed_hosts pass; provider routes answer
// any Host, as the real providers do.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "support/emulator_process.h"

namespace imagine::testing {
namespace {

constexpr const char* kKey = "host-guard-key";
constexpr const char* kCreate = R"({"model":"grok-imagine-text-to-video","prompt":"x"})";

long long TaskCount(const EmulatorProcess& emu) { return emu.Get("/_emulator/health").json()["tasks"]; }

// GET `path` with exactly `host` as the Host header.
Reply GetWithHost(const EmulatorProcess& emu, const std::string& path, const std::string& host) {
  return emu.Request("GET", path, "", {{"Host", host}}, "");
}

// The status of the answer to `request`, sent raw on a fresh connection that the server closes.
int RawStatus(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (answer.size() < 12 || answer.compare(0, 5, "HTTP/") != 0) return -1;
  return std::atoi(answer.c_str() + 9);
}

const char* const kControlReads[] = {"/_emulator/config",  "/_emulator/journal",   "/_emulator/tasks",
                                     "/_emulator/health",  "/_emulator/ui",        "/_emulator/keys/host-guard-key",
                                     "/_emulator/callbacks", "/_emulator/metrics", "/_emulator/journal.har"};

}  // namespace

TEST_CASE("issue 22: a DNS-rebinding request (foreign Host, matching Origin) gets 403 and changes nothing") {
  EmulatorProcess emu;
  REQUIRE(emu.Post("/v1/videos/generations", kCreate, kKey).status == 200);
  const std::string host = "r.example:" + std::to_string(emu.port());
  const long long now_ms = emu.Get("/_emulator/clock").json()["now_ms"];

  Reply reset = emu.Request("POST", "/_emulator/reset", "{}", {{"Host", host}, {"Origin", "http://" + host}},
                            "application/json");
  CHECK(reset.status == 403);
  CHECK(reset.json()["error"]["code"] == "permission_denied");
  CHECK(reset.json()["error"]["message"] ==
        "Host \"" + host +
            "\" is not a name of this emulator, so the control API does not answer it (a guard against DNS "
            "rebinding): it answers localhost, *.localhost, IP addresses, the host of server.public_url and the "
            "names in server.allowed_hosts. To allow this name, add it there (--allowed-hosts, "
            "IMAGINE_EMU_ALLOWED_HOSTS; \".example.com\" allows a domain and its subdomains)");
  Reply advance = emu.Request("POST", "/_emulator/clock/advance", R"({"seconds":100})",
                              {{"Host", host}, {"Origin", "http://" + host}}, "application/json");
  CHECK(advance.status == 403);
  CHECK(emu.Request("PUT", "/_emulator/keys/" + std::string(kKey), R"({"credits":0})", {{"Host", host}},
                    "application/json")
            .status == 403);
  CHECK(emu.Request("DELETE", "/_emulator/scenarios/rules", "", {{"Host", host}}, "").status == 403);
  // Nothing changed: the task, the clock and the key are as they were.
  CHECK(TaskCount(emu) == 1);
  CHECK(emu.Get("/_emulator/clock").json()["now_ms"] == now_ms);
  CHECK(emu.Get("/_emulator/keys/" + std::string(kKey)).json()["profile"]["credits"] != 0);

  // Reads too: the page would read the journal, the config and the tasks.
  for (const char* path : kControlReads) {
    INFO(std::string(path));
    Reply r = GetWithHost(emu, path, host);
    CHECK(r.status == 403);
    CHECK(r.json()["error"]["code"] == "permission_denied");
  }
  for (const char* other : {"R.EXAMPLE", "localhost.r.example", "127.0.0.1.nip.io:80", "localhost:80@r.example",
                            "[::1", "2130706433", "0x7f.1", "a:b:c"}) {
    INFO(std::string(other));
    // Refused: 403 by the guard, or 400 by the request parser when the Host is not even a
    // valid host[:port] (RFC 9112 §3.2).
    const int status = GetWithHost(emu, "/_emulator/tasks", other).status;
    CHECK((status == 403 || status == 400));
  }
  // Provider routes answer any Host, as the real providers do.
  Reply created = emu.Request("POST", "/v1/videos/generations", kCreate,
                              {{"Host", host}, {"Authorization", std::string("Bearer ") + kKey}}, "application/json");
  CHECK(created.status == 200);
  CHECK(TaskCount(emu) == 2);
}

TEST_CASE("issue 22: loopback names and IP addresses reach the control API, a request without Host too") {
  EmulatorProcess emu;
  REQUIRE(emu.Post("/v1/videos/generations", kCreate, kKey).status == 200);
  const std::string port = std::to_string(emu.port());
  for (const std::string& host : std::vector<std::string>{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "localhost.",
                                  "app.localhost:" + port, "127.0.0.2", "[::1]:" + port, "[::1]",
                                  "10.1.2.3:8080", "192.0.2.7", "[2001:db8::1]:80"}) {
    INFO(host);
    CHECK(GetWithHost(emu, "/_emulator/config", host).status == 200);
  }
  // The dashboard's own page writes with its own Origin.
  const std::string own = "localhost:" + port;
  CHECK(emu.Request("POST", "/_emulator/clock/advance", R"({"seconds":1})", {{"Host", own}, {"Origin", "http://" + own}},
                    "application/json")
            .status == 200);
  // HTTP/1.0 needs no Host.
  CHECK(RawStatus(emu.port(), "GET /_emulator/config HTTP/1.0\r\n\r\n") == 200);
  CHECK(RawStatus(emu.port(), "GET /_emulator/config HTTP/1.0\r\nHost: r.example\r\n\r\n") == 403);
  CHECK(emu.Request("POST", "/_emulator/reset", "{}", {{"Host", "127.0.0.1:" + port}}, "application/json").status ==
        200);
  CHECK(TaskCount(emu) == 0);
}

TEST_CASE("issue 22: server.allowed_hosts, --allowed-hosts and the host of server.public_url are the emulator's own") {
  SUBCASE("config: exact names and .domain") {
    const std::string config = WriteTempFile(
        "server: {public_url: 'https://Emu.Tunnel.test:9443/base', allowed_hosts: [emulator, .corp.example]}\n");
    EmulatorProcess emu({"--clock", "virtual", "--config", config});
    for (const char* host : {"emulator:8080", "EMULATOR", "corp.example", "a.b.corp.example:80", "emu.tunnel.test",
                             "emu.tunnel.test:9443", "localhost"}) {
      INFO(std::string(host));
      CHECK(GetWithHost(emu, "/_emulator/tasks", host).status == 200);
    }
    for (const char* host : {"emulator2", "evilcorp.example", "corp.example.evil", "tunnel.test", "x.emulator"}) {
      INFO(std::string(host));
      CHECK(GetWithHost(emu, "/_emulator/tasks", host).status == 403);
    }
    CHECK(emu.Get("/_emulator/config").json()["server"]["allowed_hosts"] ==
          nlohmann::json::array({"emulator", ".corp.example"}));
  }
  SUBCASE("--allowed-hosts and IMAGINE_EMU_ALLOWED_HOSTS") {
    EmulatorProcess flag({"--clock", "virtual", "--allowed-hosts", "emulator, .svc.cluster.local"});
    CHECK(GetWithHost(flag, "/_emulator/tasks", "emulator:8080").status == 200);
    CHECK(GetWithHost(flag, "/_emulator/tasks", "emu.ns.svc.cluster.local").status == 200);
    CHECK(GetWithHost(flag, "/_emulator/tasks", "r.example").status == 403);
    EmulatorProcess env({"--clock", "virtual"}, {{"IMAGINE_EMU_ALLOWED_HOSTS", "emulator"}});
    CHECK(GetWithHost(env, "/_emulator/tasks", "emulator:8080").status == 200);
    CHECK(GetWithHost(env, "/_emulator/tasks", "r.example").status == 403);
  }
  SUBCASE("all turns the check off") {
    EmulatorProcess emu({"--clock", "virtual", "--allowed-hosts", "all"});
    CHECK(GetWithHost(emu, "/_emulator/tasks", "r.example").status == 200);
  }
  SUBCASE("a bad entry stops start-up with the key and the rule") {
    const std::string config = WriteTempFile("server: {allowed_hosts: ['http://emulator:8080']}\n");
    auto [code, out] = RunToExit({"--config", config});
    CHECK(code == 2);
    CHECK(out.find("server.allowed_hosts[0]") != std::string::npos);
    CHECK(out.find("must be a host name, .domain (a domain and its subdomains) or all (got \"http://emulator:8080\")") !=
          std::string::npos);
    auto [flag_code, flag_out] = RunToExit({"--allowed-hosts", "emulator,a b"});
    CHECK(flag_code == 2);
    CHECK(flag_out.find("--allowed-hosts: must be a list of host names, .domains or all (got \"emulator,a b\")") != std::string::npos);
  }
}

}  // namespace imagine::testing
