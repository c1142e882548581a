// The words about flags, made from their table (app/flag_table.h): the option lines of
// --help (and so of the man page) and the rows of docs/configuration.md's flag table. Pure functions.
#ifndef IMAGINE_APP_FLAG_DOCS_H_
#define IMAGINE_APP_FLAG_DOCS_H_

#include <string>
#include <vector>

#include "app/flag_table.h"

namespace imagine {

// One entry per flag, in the order given:
//   "  --port N             port; 0 picks a free one (printed at start-up) (IMAGINE_EMU_PORT; default 8080)"
// wrapped at 100 columns, continuation lines indented to the text; backticks dropped.
std::string FlagHelpLines(const std::vector<FlagSpec>& flags);

// One Markdown row per flag, in the order given:
//   "| `--port N` | `IMAGINE_EMU_PORT` | `8080` | port; `0` picks a free one (printed at start-up) |"
std::string FlagTableRows(const std::vector<FlagSpec>& flags);

}  // namespace imagine

#endif  // IMAGINE_APP_FLAG_DOCS_H_
