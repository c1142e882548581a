// readme_flag_table: prints README's flag table as the flags' declarations in
// schemas/config.schema.yaml make it (x-flag), or with --write FILE rewrites that table in FILE
// (README.md) in place. `scripts/build readme-flags` runs it on README.md; the unit test
// "README's flag table is the one schemas/config.schema.yaml makes" fails while they differ.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "app/command_line.h"

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode.empty()) {
    std::cout << imagine::FlagTableMarkdown();
    return 0;
  }
  if (mode != "--write" || argc != 3) {
    std::cerr << "usage: readme_flag_table [--write README.md]\n";
    return 2;
  }
  std::ifstream in(argv[2], std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    std::cerr << "readme_flag_table: cannot read " << argv[2] << "\n";
    return 2;
  }
  const std::string updated = imagine::WithFlagTable(text.str());
  if (updated == text.str()) return 0;
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out << updated;
  return out ? 0 : 1;
}
