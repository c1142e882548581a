// ChunkedHeap: a drop-in std::priority_queue<T, std::deque<T>, Compare> (same Compare
// meaning: with std::greater<T> the smallest element is on top) for queues that
// grow to hundreds of thousands of entries on a request path: the engine's timer queue,
// the credit-finish queue, the store's eviction candidates.
//
// The elements live in fixed chunks (of 4 096 by default; a queue kept per account uses
// smaller ones), so growing never copies what is queued (a
// std::vector heap copies all of it at each doubling: a stall of ~1 ms at 262 144 timers),
// and an element's place is two shifts away (a std::deque's blocks hold 512 / sizeof(T)
// elements, so its indexing divides on every step of a sift). Four children per node
// halves the depth of a binary heap. Chunks freed by pops are kept for the next growth
// (one spare), so a queue that hovers at a chunk boundary does not allocate each time.
// Not thread-safe; the owner locks.
#ifndef IMAGINE_COMMON_CHUNKED_HEAP_H_
#define IMAGINE_COMMON_CHUNKED_HEAP_H_

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace imagine {

template <typename T, typename Compare, size_t kChunkBits = 12>
class ChunkedHeap {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  const T& top() const { return at(0); }

  void push(T value) {
    if ((size_ >> kChunkBits) == chunks_.size()) Grow();
    size_t i = size_++;
    while (i > 0) {  // sift up: move parents down until `value` fits
      const size_t parent = (i - 1) / kArity;
      if (!Before(value, at(parent))) break;
      at(i) = std::move(at(parent));
      i = parent;
    }
    at(i) = std::move(value);
  }

  void pop() {
    T last = std::move(at(--size_));
    if ((size_ & kChunkMask) == 0) Shrink();
    if (size_ == 0) return;
    size_t i = 0;
    for (;;) {  // sift down: move the smallest child up until `last` fits
      const size_t first = i * kArity + 1;
      if (first >= size_) break;
      size_t best = first;
      const size_t end = first + kArity < size_ ? first + kArity : size_;
      for (size_t c = first + 1; c < end; ++c) {
        if (Before(at(c), at(best))) best = c;
      }
      if (!Before(at(best), last)) break;
      at(i) = std::move(at(best));
      i = best;
    }
    at(i) = std::move(last);
  }

 private:
  static constexpr size_t kChunkSize = size_t{1} << kChunkBits;
  static constexpr size_t kChunkMask = kChunkSize - 1;
  static constexpr size_t kArity = 4;

  T& at(size_t i) { return chunks_[i >> kChunkBits][i & kChunkMask]; }
  const T& at(size_t i) const { return chunks_[i >> kChunkBits][i & kChunkMask]; }

  void Grow() {
    chunks_.push_back(spare_ ? std::move(spare_) : std::make_unique<T[]>(kChunkSize));
  }
  // Called when size_ has just dropped to a multiple of the chunk size: the last chunk is
  // empty. It becomes the spare (the previous spare is freed).
  void Shrink() {
    if (chunks_.size() > (size_ >> kChunkBits)) {
      spare_ = std::move(chunks_.back());
      chunks_.pop_back();
    }
  }
  // True when `a` leaves the queue before `b` (priority_queue's order: Compare(b, a)).
  bool Before(const T& a, const T& b) const { return comp_(b, a); }

  std::vector<std::unique_ptr<T[]>> chunks_;  // the vector of pointers copies 8 bytes per 4 096 entries
  std::unique_ptr<T[]> spare_;
  size_t size_ = 0;
  Compare comp_{};
};

}  // namespace imagine

#endif  // IMAGINE_COMMON_CHUNKED_HEAP_H_
