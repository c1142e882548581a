// ChunkedHeap pops in the same order as the std::priority_queue it replaced, across chunk
// boundaries, growth and shrinking, with many equal due times (ties broken by seq, so the
// order is total and both queues must agree entry by entry).
#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <vector>

#include "common/chunked_heap.h"

namespace imagine {
namespace {

struct Item {
  int64_t due = 0;
  uint64_t seq = 0;
  bool operator>(const Item& o) const { return due != o.due ? due > o.due : seq > o.seq; }
  bool operator==(const Item& o) const { return due == o.due && seq == o.seq; }
};

TEST_CASE("ChunkedHeap pops what std::priority_queue pops, through many chunk boundaries") {
  std::mt19937_64 random(7);
  ChunkedHeap<Item, std::greater<Item>, 4> heap;  // chunks of 16: boundaries crossed often
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> reference;
  uint64_t seq = 0;
  size_t pops = 0;
  size_t max_size = 0;
  for (int round = 0; round < 20000; ++round) {
    // Grows in the first half, shrinks in the second, hovering around chunk edges meanwhile.
    const bool push = reference.empty() || random() % 100 < (round < 10000 ? 60u : 40u);
    if (push) {
      const Item item{static_cast<int64_t>(random() % 50), ++seq};  // many equal due times
      heap.push(item);
      reference.push(item);
    } else {
      REQUIRE(heap.top() == reference.top());
      heap.pop();
      reference.pop();
      ++pops;
    }
    REQUIRE(heap.size() == reference.size());
    REQUIRE(heap.empty() == reference.empty());
    if (heap.size() > max_size) max_size = heap.size();
  }
  while (!reference.empty()) {
    REQUIRE(heap.top() == reference.top());
    heap.pop();
    reference.pop();
    ++pops;
  }
  CHECK(heap.empty());
  CHECK(pops == seq);
  CHECK(max_size > 1000);  // spans many 16-entry chunks
}

TEST_CASE("ChunkedHeap empties to nothing and fills again") {
  ChunkedHeap<Item, std::greater<Item>, 2> heap;  // chunks of 4
  for (int cycle = 0; cycle < 3; ++cycle) {
    for (int i = 9; i >= 0; --i) heap.push(Item{i, static_cast<uint64_t>(i)});
    for (int i = 0; i < 10; ++i) {
      REQUIRE(heap.top().due == i);
      heap.pop();
    }
    CHECK(heap.empty());
    CHECK(heap.size() == 0);
  }
}

}  // namespace
}  // namespace imagine
