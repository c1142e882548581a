#include "engine/split_map.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace imagine {

TEST_CASE("SplitMap finds, replaces and erases like one map") {
  SplitMap<uint64_t, std::string> m;
  CHECK(m.Emplace(1, "a").second);
  CHECK_FALSE(m.Emplace(1, "b").second);
  REQUIRE(m.Find(1) != nullptr);
  CHECK(*m.Find(1) == "a");
  m.Replace(1, "c");
  CHECK(*m.Find(1) == "c");
  CHECK(m.Contains(1));
  CHECK(m.size() == 1);
  CHECK(m.Erase(1));
  CHECK_FALSE(m.Erase(1));
  CHECK(m.Find(1) == nullptr);
  CHECK(m.size() == 0);
}

TEST_CASE("issue 23: growing a SplitMap to 100 000 sequential keys never rehashes more than a part") {
  // The stall this removes: one std::unordered_map of a key's running tasks relinked all of
  // them in the insert that crossed its load factor, under the lock every create takes.
  SplitMap<uint64_t, int> m;
  size_t largest_rehash = 0;
  std::array<size_t, SplitMap<uint64_t, int>::parts()> buckets{};
  for (uint64_t k = 1; k <= 100'000; ++k) {
    const size_t part = m.PartIndex(k);
    const size_t before = m.part(part).size();
    m.Emplace(k, 0);
    if (m.part(part).bucket_count() != buckets[part]) {
      buckets[part] = m.part(part).bucket_count();
      largest_rehash = std::max(largest_rehash, before);
    }
  }
  CHECK(m.size() == 100'000);
  size_t smallest = 100'000, largest = 0;
  for (size_t p = 0; p < m.parts(); ++p) {
    smallest = std::min(smallest, m.part(p).size());
    largest = std::max(largest, m.part(p).size());
  }
  CHECK(largest < 2 * smallest);              // the keys spread over the parts
  CHECK(largest_rehash <= 2 * 100'000 / 32);  // no rehash moved more than about one part
}

TEST_CASE("SplitMap keys may view their own values' bytes") {
  SplitMap<uint64_t, std::string> values;
  SplitMap<std::string_view, uint64_t> by_value;
  for (uint64_t k = 0; k < 5000; ++k) {
    std::string* v = values.Emplace(k, "task-" + std::to_string(k) + "-with-a-long-enough-id").first;
    by_value.Replace(*v, k);
  }
  for (uint64_t k = 0; k < 5000; ++k) {
    const uint64_t* found = by_value.Find("task-" + std::to_string(k) + "-with-a-long-enough-id");
    REQUIRE(found != nullptr);
    CHECK(*found == k);
  }
}

}  // namespace imagine
