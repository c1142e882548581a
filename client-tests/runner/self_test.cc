#include "runner/self_test.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "runner/report.h"

namespace imagine::conform {
namespace {

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const std::string& x : s) out += (out.empty() ? "" : ",") + x;
  return out.empty() ? std::string("none") : out;
}

// The programs a manifest command names relative to the clients directory ("./reference_cpp").
std::vector<std::string> LocalPrograms(const std::string& command) {
  std::vector<std::string> out;
  std::istringstream words(command);
  std::string w;
  while (words >> w) {
    if (w.rfind("./", 0) == 0) out.push_back(w.substr(2));
  }
  return out;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// The interpreter a script's "#!" line names with an absolute path ("/usr/bin/python3"), or "".
std::string Interpreter(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line) || line.rfind("#!/", 0) != 0) return "";
  std::istringstream words(line.substr(2));
  std::string interpreter;
  words >> interpreter;
  return interpreter;
}

// What one client did on one provider, check by check.
struct Group {
  const ClientUnderTest* client;
  std::string provider;
  size_t first = 0, count = 0;  // its runs in the spec list
};

// Which checks the references pass and the broken clients fail, on one provider.
struct Coverage {
  std::map<std::string, int> passed_by_references;           // check -> scenarios
  std::map<std::string, std::set<std::string>> failed_by;    // check -> broken clients
  std::map<std::string, int> passed_by_broken;               // check -> scenarios
};

}  // namespace

int SelfTest(const Options& o, Session& session, const std::vector<ConformScenario>& catalog,
             const std::string& clients_dir) {
  const std::string manifest = clients_dir + "/clients.yaml";
  std::ifstream in(manifest);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    std::fprintf(stderr, "imagine-conform: cannot read %s\n", manifest.c_str());
    return 2;
  }
  auto parsed = ParseClients(text.str(), manifest);
  if (!parsed.ok()) {
    std::fprintf(stderr, "imagine-conform: %s\n", parsed.status().message().c_str());
    return 2;
  }
  const std::set<std::string> known(CheckNames().begin(), CheckNames().end());
  std::vector<const ClientUnderTest*> clients;
  for (const ClientUnderTest& c : *parsed) {
    std::vector<std::string> named = {c.fault};
    for (const auto& [provider, checks] : c.expected_failures) named.insert(named.end(), checks.begin(), checks.end());
    for (const std::string& check : named) {
      if (!check.empty() && known.count(check) == 0) {
        std::fprintf(stderr, "imagine-conform: %s: client %s names an unknown check %s\n", manifest.c_str(), c.name.c_str(),
                     check.c_str());
        return 2;
      }
    }
    if (o.clients.empty() || std::find(o.clients.begin(), o.clients.end(), c.name) != o.clients.end()) clients.push_back(&c);
  }
  for (const std::string& name : o.clients) {
    bool found = false;
    for (const ClientUnderTest* c : clients) found |= c->name == name;
    if (!found) {
      std::fprintf(stderr, "imagine-conform: --clients: %s has no client %s\n", manifest.c_str(), name.c_str());
      return 2;
    }
  }
  for (const ClientUnderTest* c : clients) {
    for (const std::string& program : LocalPrograms(c->command)) {
      const std::string path = clients_dir + "/" + program;
      if (!Exists(path)) {
        std::fprintf(stderr, "imagine-conform: %s (client %s) is missing from %s; build the conform_clients target\n",
                     program.c_str(), c->name.c_str(), clients_dir.c_str());
        return 2;
      }
      const std::string interpreter = Interpreter(path);
      if (!interpreter.empty() && !Exists(interpreter)) {
        std::fprintf(stderr, "imagine-conform: client %s needs %s, which is not installed\n", c->name.c_str(),
                     interpreter.c_str());
        return 2;
      }
    }
  }

  std::vector<RunSpec> specs;
  std::vector<Group> groups;
  for (const ClientUnderTest* c : clients) {
    for (const std::string& provider : o.providers) {
      if (!c->Speaks(provider)) continue;
      Group g{c, provider, specs.size(), 0};
      for (const ConformScenario* sc : ScenariosFor(catalog, provider, o.scenarios)) {
        specs.push_back({provider, sc, c->command, clients_dir, c->callback_receiver});
      }
      g.count = specs.size() - g.first;
      if (g.count > 0) groups.push_back(g);
    }
  }

  if (specs.empty()) {
    std::fprintf(stderr, "imagine-conform: no scenario of --scenarios applies to the chosen provider\n");
    return 2;
  }

  const auto start = std::chrono::steady_clock::now();
  std::map<std::string, Coverage> coverage;  // provider -> coverage
  int mismatches = 0;
  size_t next_group = 0;
  auto finish_group = [&](const Group& g, const std::vector<const ScenarioResult*>& runs) {
    std::set<std::string> failed;
    Score score;
    std::string details;
    Coverage& cov = coverage[g.provider];
    auto it = g.client->expected_failures.find(g.provider);
    std::set<std::string> expected;
    if (it != g.client->expected_failures.end()) expected.insert(it->second.begin(), it->second.end());
    for (const ScenarioResult* r : runs) {
      score.Add(r->checks);
      bool unexpected = false;
      for (const CheckResult& c : r->checks) {
        if (c.outcome == Outcome::kFail) {
          failed.insert(c.name);
          if (!g.client->is_reference()) cov.failed_by[c.name].insert(g.client->name);
          unexpected |= expected.count(c.name) == 0;
        }
        if (c.outcome == Outcome::kPass) {
          (g.client->is_reference() ? cov.passed_by_references : cov.passed_by_broken)[c.name]++;
          unexpected |= g.client->no_passes;
        }
      }
      if (unexpected) details += FormatScenario(*r, /*quiet=*/true, /*verbose=*/false);
    }
    bool match = failed == expected;
    std::string why;
    if (!match) why = "  (expected: " + Join(expected) + ")";
    if (g.client->no_passes && score.passed > 0) {
      match = false;
      why += "  (no check may pass for this client)";
    }
    mismatches += !match;
    std::printf("%s %-34s %-8s %s; failed: %s%s\n", match ? "ok      " : "MISMATCH", g.client->name.c_str(),
                g.provider.c_str(), score.ToString().c_str(), Join(failed).c_str(), why.c_str());
    if (!match) std::printf("%s", details.c_str());
    std::fflush(stdout);
  };
  // A group is reported as soon as all its runs are in (RunAll hands them over in order).
  std::vector<const ScenarioResult*> runs;
  RunAll(session, specs, o.jobs, [&](size_t i, const ScenarioResult& r) {
    runs.push_back(&r);
    const Group& g = groups[next_group];
    if (i + 1 < g.first + g.count) return;
    finish_group(g, runs);
    runs.clear();
    ++next_group;
  });

  // The proof of the checks themselves: only for the whole catalog and every client.
  int proofs_failed = 0;
  if (o.scenarios.empty() && o.clients.empty()) {
    for (const std::string& provider : o.providers) {
      const Coverage& cov = coverage[provider];
      std::vector<std::string> not_judged;
      for (const std::string& check : CheckNames()) {
        const bool passes = cov.passed_by_references.count(check) > 0;
        const bool fails = cov.failed_by.count(check) > 0;
        if (!passes && !fails && cov.passed_by_broken.count(check) == 0) {
          not_judged.push_back(check);
        } else if (!fails) {
          ++proofs_failed;
          std::printf("UNPROVEN %-34s %-8s no broken client fails it, so nothing shows it can fail\n", check.c_str(),
                      provider.c_str());
        } else if (!passes) {
          ++proofs_failed;
          std::printf("UNPROVEN %-34s %-8s no reference client passes it, so nothing shows it can pass\n", check.c_str(),
                      provider.c_str());
        }
      }
      std::string list;
      for (const std::string& c : not_judged) list += (list.empty() ? "" : ",") + c;
      std::printf("proof    %-8s every judged check is passed by the references and failed by a broken client%s%s\n",
                  provider.c_str(), list.empty() ? "" : "; not judged on this provider: ", list.c_str());
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%d passed, %d failed (%zu client runs in %.1f s, %d at a time)\n",
              static_cast<int>(groups.size()) - mismatches, mismatches,
              specs.size(), seconds, o.jobs);
  return mismatches == 0 && proofs_failed == 0 ? 0 : 1;
}

}  // namespace imagine::conform
