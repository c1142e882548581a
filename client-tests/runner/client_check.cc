#include "runner/client_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "runner/client_process.h"

namespace imagine::conform {
namespace {

bool IsAssignment(const std::string& w) {
  const size_t eq = w.find('=');
  return eq != std::string::npos && eq > 0 && !std::isdigit(static_cast<unsigned char>(w[0])) &&
         std::all_of(w.begin(), w.begin() + eq,
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

}  // namespace

std::string ClientStartProblem(const std::string& command, const std::string& cwd) {
  std::istringstream in(command);
  std::string program;
  while (in >> program && IsAssignment(program)) {
  }
  if (program.empty() || IsAssignment(program)) return "";
  const std::streamoff end = in.tellg();  // just after the program's word; -1 at the end of the command
  const size_t at = (end < 0 ? command.size() : static_cast<size_t>(end)) - program.size();
  if (program.find_first_of("'\"\\$`|&;<>(){}[]*?~#!=") != std::string::npos) return "";
  const std::string where = cwd.empty() ? "the working directory" : cwd;
  if (program.find('/') != std::string::npos) {
    const std::string path = program[0] == '/' || cwd.empty() ? program : cwd + "/" + program;
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return program + " does not exist (looked in " + where + ")";
    if (!S_ISREG(st.st_mode)) return program + " is not a file";
    if (access(path.c_str(), X_OK) != 0) return program + " is not executable (chmod +x " + program + ")";
    return "";
  }
  // A name: what bash would run (a program on PATH, a builtin, a keyword), asked of bash itself.
  const ClientRun found = RunClient("type -t -- " + program, {}, 30, cwd);
  if (found.exit_code == 0) return "";
  struct stat st {};
  const std::string local = cwd.empty() ? program : cwd + "/" + program;
  if (stat(local.c_str(), &st) == 0) {
    return program + " is not a command on PATH; to run the file in " + where + ", give its path: --client \"" +
           command.substr(0, at) + "./" + command.substr(at) + "\"";
  }
  return program + " is not a command on PATH, nor a file in " + where;
}

}  // namespace imagine::conform
