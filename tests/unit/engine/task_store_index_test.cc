// SlotIndex (engine/task_store_index.h): the store's id -> slot table agrees with a std::map
// through inserts and erases in every order, including erases that shift probe runs back.
#include "engine/task_store_index.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

namespace imagine {

TEST_CASE("issue 23: a SlotIndex finds every filed id and nothing else through 20 000 inserts and erases") {
  std::vector<std::string> ids;  // by slot, as the store's records hold them
  for (int i = 0; i < 20'000; ++i) ids.push_back("task-" + std::to_string(i * 7919 % 100'003));
  auto id_of = [&ids](uint32_t slot) { return std::string_view(ids[slot]); };
  SlotIndex index;
  std::map<std::string, uint32_t> expected;
  uint64_t state = 42;
  auto next = [&state] { return state = state * 6364136223846793005ull + 1442695040888963407ull, state >> 33; };
  for (int step = 0; step < 60'000; ++step) {
    const uint32_t slot = static_cast<uint32_t>(next() % ids.size());
    if (expected.count(ids[slot]) == 0 && next() % 3 != 0) {
      index.Insert(ids[slot], slot);
      expected[ids[slot]] = slot;
    } else {
      CHECK(index.Erase(ids[slot], id_of) == (expected.erase(ids[slot]) == 1));
    }
  }
  CHECK(index.size() == expected.size());
  size_t found = 0;
  for (uint32_t slot = 0; slot < ids.size(); ++slot) {
    const bool filed = expected.count(ids[slot]) > 0;
    if (filed) ++found;
    if (index.Find(ids[slot], id_of) != (filed ? slot : SlotIndex::kNone)) FAIL_CHECK("slot " << slot);
  }
  CHECK(found == expected.size());
  CHECK(index.Find("never filed", id_of) == SlotIndex::kNone);
}

}  // namespace imagine
