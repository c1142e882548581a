#include <doctest/doctest.h>

#include "providers/apikley/ids.h"
#include "providers/evolink/ids.h"

namespace imagine {

TEST_CASE("apikley ids are 32 lowercase hex characters") {
  Random r(1);
  for (int i = 0; i < 100; ++i) {
    std::string id = apikley::MakeTaskId(r, 0);
    INFO(id);
    CHECK(apikley::IsTaskIdFormat(id));
  }
  CHECK_FALSE(apikley::IsTaskIdFormat("0123456789ABCDEF0123456789abcdef"));
  CHECK_FALSE(apikley::IsTaskIdFormat("0123456789abcdef"));
}

TEST_CASE("evolink ids are task-unified-<unix seconds>-<8 [a-z0-9]>") {
  Random r(1);
  std::string id = evolink::MakeTaskId(r, 1757169743123);
  CHECK(id.rfind("task-unified-1757169743-", 0) == 0);
  CHECK(id.size() == std::string("task-unified-1757169743-").size() + 8);
  CHECK(evolink::IsTaskIdFormat(id));
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
    CHECK(evolink::IsTaskIdFormat(row.id) == row.ok);
  }
}

}  // namespace imagine
