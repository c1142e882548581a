#include "app/flag_docs.h"

#include <sstream>

namespace imagine {
namespace {

constexpr size_t kWidth = 100;   // --help lines wrap here
constexpr size_t kTextAt = 23;   // column where a flag's description starts

std::string Plain(std::string text) {
  std::string out;
  for (char c : text) {
    if (c != '`') out += c;
  }
  return out;
}

std::string Usage(const FlagSpec& f) { return "--" + f.name + (f.value_name.empty() ? "" : " " + f.value_name); }

std::string EnvText(const FlagSpec& f) { return f.kind == FlagKind::kBool ? f.env + "=1" : f.env; }

// `words` laid out from column kTextAt, wrapped at kWidth; `line` already holds the start.
void Wrap(const std::string& words, std::string line, std::string* out) {
  std::istringstream in(words);
  std::string word;
  bool first = true;
  while (in >> word) {
    if (!first && line.size() + 1 + word.size() > kWidth) {
      *out += line + "\n";
      line = std::string(kTextAt, ' ') + word;
    } else {
      line += (first ? "" : " ") + word;
    }
    first = false;
  }
  *out += line + "\n";
}

}  // namespace

std::string FlagHelpLines(const std::vector<FlagSpec>& flags) {
  std::string out;
  for (const FlagSpec& f : flags) {
    std::string start = "  " + Usage(f);
    if (start.size() + 1 > kTextAt) {  // too long for its column: the text starts on the next line
      out += start + "\n";
      start.clear();
    }
    start.resize(kTextAt, ' ');
    std::string paren;
    if (!f.env.empty()) paren = EnvText(f);
    if (f.default_text != "—") paren += (paren.empty() ? "" : "; ") + std::string("default ") + Plain(f.default_text);
    Wrap(Plain(f.help) + (paren.empty() ? "" : " (" + paren + ")"), start, &out);
  }
  return out;
}

std::string FlagTableRows(const std::vector<FlagSpec>& flags) {
  auto cell = [](const std::string& s) {  // a | inside a cell is escaped
    std::string out;
    for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
  };
  std::string out;
  for (const FlagSpec& f : flags) {
    out += "| `" + cell(Usage(f)) + "` | " + (f.env.empty() ? "" : "`" + EnvText(f) + "`") + " | " +
           cell(f.default_text) + " | " + cell(f.help) + " |\n";
  }
  return out;
}

}  // namespace imagine
