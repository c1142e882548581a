// docs_tables: prints docs/'s generated tables (the flag table and the config-key table of
// configuration.md, the route table of control-api.md), or with --write DOCS_DIR puts them
// into those pages in place. `scripts/build docs-tables` runs it on docs/; the unit tests
// "docs/...'s ... table is the one schemas/... makes" fail while a page differs.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "app/command_line.h"
#include "docs_tables.h"

namespace {

// Rewrites `path` with `update` applied; false (and a message) when it cannot be read or written.
template <typename Update>
bool Rewrite(const std::string& path, Update update) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    std::cerr << "docs_tables: cannot read " << path << "\n";
    return false;
  }
  const std::string updated = update(text.str());
  if (updated == text.str()) return true;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << updated;
  if (!out) std::cerr << "docs_tables: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode.empty()) {
    std::cout << imagine::FlagTableMarkdown() << "\n"
              << imagine::docs::ConfigKeyTable() << "\n"
              << imagine::docs::ControlApiTable();
    return 0;
  }
  if (mode != "--write" || argc != 3) {
    std::cerr << "usage: docs_tables [--write DOCS_DIR]\n";
    return 2;
  }
  const std::string dir = argv[2];
  const bool ok = Rewrite(dir + "/configuration.md",
                          [](const std::string& page) {
                            return imagine::docs::WithGenerated(imagine::WithFlagTable(page), "config-keys",
                                                                imagine::docs::ConfigKeyTable());
                          }) &&
                  Rewrite(dir + "/control-api.md", [](const std::string& page) {
                    return imagine::docs::WithGenerated(page, "control-api", imagine::docs::ControlApiTable());
                  });
  return ok ? 0 : 1;
}
