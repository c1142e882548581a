// HostAllowList (issue 22 §5, DNS rebinding): which Host values the control API answers.
#include "admin/host_allow_list.h"

#include <doctest/doctest.h>

namespace imagine {

TEST_CASE("HostAllowList: loopback names, IP literals and no Host always, configured names and domains") {
  const HostAllowList hosts({"emulator", ".corp.example", "Tunnel.Test.", ".", ""});
  struct Row {
    const char* host;
    bool allowed;
  };
  const Row rows[] = {
      {"", true},                   {"127.0.0.1", true},          {"127.0.0.1:8080", true},
      {"10.0.0.7:80", true},        {"[::1]", true},              {"[::1]:8080", true},
      {"[2001:db8::1]:443", true},  {"localhost", true},          {"LocalHost:8080", true},
      {"localhost.", true},         {"a.b.localhost:1", true},    {"emulator", true},
      {"EMULATOR:8080", true},      {"corp.example", true},       {"x.y.corp.example:9", true},
      {"tunnel.test", true},        {"tunnel.test.:443", true},   {"emulator:", true},
      // refused: other names, look-alikes, malformed values
      {"r.example", false},         {"r.example:8080", false},    {"emulator2", false},
      {"x.emulator", false},        {"evilcorp.example", false},  {"corp.example.evil", false},
      {"localhost.evil", false},    {"127.0.0.1.nip.io", false},  {"2130706433", false},
      {"0x7f.1", false},            {"[::1", false},              {"[::1]x", false},
      {"[not-v6]", false},          {"a:b:c", false},             {"emulator:80x", false},
      {"a b", false},               {"emulator@r.example", false}, {".", false},
      {":8080", false},             {"test", false},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.host));
    CHECK(hosts.Allows(row.host) == row.allowed);
  }
  CHECK_FALSE(hosts.allows_all());
  CHECK(HostAllowList().Allows("localhost:1"));
  CHECK_FALSE(HostAllowList().Allows("emulator"));
}

TEST_CASE("HostAllowList: all turns the check off") {
  const HostAllowList all({"emulator", "all"});
  CHECK(all.allows_all());
  CHECK(all.Allows("r.example:8080"));
  CHECK(all.Allows("a b"));
}

}  // namespace imagine
