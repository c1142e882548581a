// SlotIndex: one TaskStore shard's index of task ids to record slots, as an open-addressed
// table of 8-byte entries (the slot and a 32-bit hash of the id) with linear probing. The ids
// themselves stay in the records (the caller's `id_of(slot)` reads one back), so a task costs
// ~11-21 bytes here, where a std::unordered_map node of a string_view and its bucket cost ~56.
// Growing doubles the table from the stored hashes alone (no id is read). Not thread-safe:
// its shard's lock guards it.
#ifndef IMAGINE_ENGINE_TASK_STORE_INDEX_H_
#define IMAGINE_ENGINE_TASK_STORE_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace imagine {

class SlotIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // The slot of `id`, or kNone.
  template <typename IdOf>
  uint32_t Find(std::string_view id, IdOf id_of) const {
    if (table_.empty()) return kNone;
    const uint32_t hash = Hash(id);
    for (size_t i = hash & mask(); table_[i].slot != kNone; i = (i + 1) & mask()) {
      if (table_[i].hash == hash && id_of(table_[i].slot) == id) return table_[i].slot;
    }
    return kNone;
  }
  // Files `slot` under `id`. Precondition: `id` is not filed.
  void Insert(std::string_view id, uint32_t slot) {
    if ((size_ + 1) * 10 > table_.size() * 7) Grow();
    Place(Entry{slot, Hash(id)});
    ++size_;
  }
  // Forgets `id`; false when it was not filed.
  template <typename IdOf>
  bool Erase(std::string_view id, IdOf id_of) {
    if (table_.empty()) return false;
    const uint32_t hash = Hash(id);
    size_t i = hash & mask();
    for (; table_[i].slot != kNone; i = (i + 1) & mask()) {
      if (table_[i].hash == hash && id_of(table_[i].slot) == id) break;
    }
    if (table_[i].slot == kNone) return false;
    // Backward-shift deletion: move later entries of the run into the hole when their home allows.
    table_[i].slot = kNone;
    for (size_t j = (i + 1) & mask(); table_[j].slot != kNone; j = (j + 1) & mask()) {
      const size_t home = table_[j].hash & mask();
      const bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
      if (!movable) continue;
      table_[i] = table_[j];
      table_[j].slot = kNone;
      i = j;
    }
    --size_;
    return true;
  }
  size_t size() const { return size_; }

 private:
  struct Entry {
    uint32_t slot = kNone;  // kNone: empty
    uint32_t hash = 0;
  };
  static uint32_t Hash(std::string_view id) {
    // Mixed: the store picks a shard by the low bits of std::hash, so within a shard they are all alike.
    return static_cast<uint32_t>((std::hash<std::string_view>{}(id) * 0x9E3779B97F4A7C15ull) >> 32);
  }
  size_t mask() const { return table_.size() - 1; }
  void Place(Entry e) {
    size_t i = e.hash & mask();
    while (table_[i].slot != kNone) i = (i + 1) & mask();
    table_[i] = e;
  }
  void Grow() {
    std::vector<Entry> old(table_.empty() ? 16 : table_.size() * 2);
    old.swap(table_);
    for (const Entry& e : old) {
      if (e.slot != kNone) Place(e);
    }
  }

  std::vector<Entry> table_;  // a power of two in size, at most 70 % full
  size_t size_ = 0;
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_TASK_STORE_INDEX_H_
