#include "providers/common/id_format.h"

#include <doctest/doctest.h>

#include "support/provider_fixtures.h"

namespace imagine {
namespace {

// The task id format declared in a provider's embedded document.
IdFormat FormatOf(const std::string& provider) {
  auto spec = testing::EmbeddedSpec(provider);
  auto format = IdFormat::Parse(spec->document()["x-emulator-dialect"]["task_id"].get<std::string>());
  REQUIRE_MESSAGE(format.ok(), format.status().ToString());
  return *format;
}

}  // namespace

TEST_CASE("apikley ids are 32 lowercase hex characters") {
  const IdFormat apikley = FormatOf("apikley");
  Random r(1);
  for (int i = 0; i < 100; ++i) {
    std::string id = apikley.Make(r, 0);
    INFO(id);
    CHECK(id.size() == 32);
    CHECK(apikley.Matches(id));
  }
  CHECK_FALSE(apikley.Matches("0123456789ABCDEF0123456789abcdef"));
  CHECK_FALSE(apikley.Matches("0123456789abcdef"));
}

TEST_CASE("evolink ids are task-unified-<unix seconds>-<8 [a-z0-9]>") {
  const IdFormat evolink = FormatOf("evolink");
  Random r(1);
  std::string id = evolink.Make(r, 1757169743123);
  CHECK(id.rfind("task-unified-1757169743-", 0) == 0);
  CHECK(id.size() == std::string("task-unified-1757169743-").size() + 8);
  CHECK(evolink.Matches(id));
  struct Row {
    const char* id;
    bool ok;
  };
  const Row rows[] = {
      {"task-unified-1757169743-7cvnl5zw", true}, {"task-unified-1-abcdefgh", true},
      {"task-unified-1757169743-7CVNL5ZW", false}, {"task-unified-1757169743-7cvnl5z", false},
      {"task-unified-1757169743-7cvnl5zwx", false}, {"task-unified--7cvnl5zw", false},
      {"task-unified-17a-7cvnl5zw", false},       {"task-1757169743-7cvnl5zw", false},
      {"", false},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.id));
    CHECK(evolink.Matches(row.id) == row.ok);
  }
}

TEST_CASE("IdFormat draws the same characters as a fixed alphabet would, and refuses bad patterns") {
  Random a(7);
  Random b(7);
  CHECK(IdFormat::Parse("x-{hex:4}").value().Make(a, 0) == "x-" + b.Chars(4, "0123456789abcdef", 16));
  for (const char* bad : {"", "{hex}", "{hex:0}", "{nope:3}", "a{alnum:2", "{hex:x}"}) {
    INFO(std::string(bad));
    CHECK_FALSE(IdFormat::Parse(bad).ok());
  }
}

}  // namespace imagine
