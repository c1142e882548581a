// docs/'s generated tables (tools/docs_tables.h): the checked-in pages hold exactly what the
// schemas make, so a schema change whose pages were not regenerated fails here (and in CI).
#include "docs_tables.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace imagine::docs {
namespace {

std::string Page(const std::string& name) {
  std::ifstream in(std::string(IMAGINE_SOURCE_DIR) + "/docs/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The lines between the page's BEGIN and END markers of `name`.
std::string Generated(const std::string& page, const std::string& name) {
  const size_t b = page.find("<!-- BEGIN generated " + name + ":");
  const size_t e = page.find("<!-- END generated " + name + " -->");
  if (b == std::string::npos || e == std::string::npos) return "(no markers for " + name + ")";
  const size_t body = page.find('\n', b) + 1;
  return page.substr(body, e - body);
}

TEST_CASE("docs/configuration.md's config-key table is the one schemas/config.schema.yaml makes") {
  const std::string page = Page("configuration.md");
  INFO("scripts/build docs-tables writes the generated table into docs/configuration.md");
  CHECK(Generated(page, "config-keys") == ConfigKeyTable());
  CHECK(WithGenerated(page, "config-keys", ConfigKeyTable()) == page);
}

TEST_CASE("docs/control-api.md's route table is the one schemas/admin.openapi.yaml makes") {
  const std::string page = Page("control-api.md");
  INFO("scripts/build docs-tables writes the generated table into docs/control-api.md");
  CHECK(Generated(page, "control-api") == ControlApiTable());
  CHECK(WithGenerated(page, "control-api", ControlApiTable()) == page);
}

TEST_CASE("the generated tables have a row per key and per route, with defaults and queries") {
  const std::string keys = ConfigKeyTable();
  CHECK(keys.find("| `server.port` | integer | `8080` | port; 0 picks a free one, printed at start-up (--port) |\n") !=
        std::string::npos);
  CHECK(keys.find("| `state.fsync` | string: `always`, `batch`, `off` | `batch` |") != std::string::npos);
  CHECK(keys.find("| `accounts.keys.<key>` |") != std::string::npos);
  const std::string routes = ControlApiTable();
  CHECK(routes.find("| `GET /_emulator/journal` |") != std::string::npos);
  CHECK(routes.find("| `kind`, `path`, `key`, `task_id`, `status`, `since`, `limit` |") != std::string::npos);
  CHECK(routes.find("| `POST /_emulator/clock` |") != std::string::npos);
}

TEST_CASE("WithGenerated replaces only what is between its own markers") {
  const std::string page = "a\n<!-- BEGIN generated t: x -->\nold\n<!-- END generated t -->\nb\n";
  CHECK(WithGenerated(page, "t", "new\n") == "a\n<!-- BEGIN generated t: x -->\nnew\n<!-- END generated t -->\nb\n");
  CHECK(WithGenerated(page, "other", "new\n") == page);
  CHECK(WithGenerated("no markers\n", "t", "new\n") == "no markers\n");
}

}  // namespace
}  // namespace imagine::docs
