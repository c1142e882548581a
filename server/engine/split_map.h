// SplitMap: a hash map cut into kParts std::unordered_maps by a mix of the key's hash, so
// that growing rehashes one part at a time: an insert relinks at most about 1/kParts of
// the entries (one std::unordered_map of 262 144 entries relinks all of them in one
// insert, milliseconds under its owner's lock). Pointers to values stay valid until their
// entry is erased. Not thread-safe: its owner's lock guards it.
#ifndef IMAGINE_ENGINE_SPLIT_MAP_H_
#define IMAGINE_ENGINE_SPLIT_MAP_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <utility>

namespace imagine {

template <typename K, typename V, typename Hash = std::hash<K>, size_t kParts = 32>
class SplitMap {
 public:
  using Part = std::unordered_map<K, V, Hash>;

  // The value of `key`, or null.
  V* Find(const K& key) {
    Part& part = PartFor(key);
    auto it = part.find(key);
    return it == part.end() ? nullptr : &it->second;
  }
  const V* Find(const K& key) const { return const_cast<SplitMap*>(this)->Find(key); }
  bool Contains(const K& key) const { return Find(key) != nullptr; }
  // Adds key -> value unless `key` is present; the stored value and whether it was added.
  std::pair<V*, bool> Emplace(const K& key, V value) {
    auto [it, added] = PartFor(key).emplace(key, std::move(value));
    return {&it->second, added};
  }
  // Sets key -> value, replacing the key itself too (for keys that view their value).
  void Replace(const K& key, V value) {
    Part& part = PartFor(key);
    part.erase(key);
    part.emplace(key, std::move(value));
  }
  bool Erase(const K& key) { return PartFor(key).erase(key) > 0; }
  size_t size() const {
    size_t n = 0;
    for (const Part& p : parts_) n += p.size();
    return n;
  }
  // Calls fn(key, value) for every entry, part by part (no order).
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (const Part& p : parts_) {
      for (const auto& [k, v] : p) fn(k, v);
    }
  }
  // The part that holds `key` (tests: how the entries spread).
  size_t PartIndex(const K& key) const { return (Hash{}(key) * 0x9E3779B97F4A7C15ull) >> 59 & (kParts - 1); }
  const Part& part(size_t i) const { return parts_[i]; }
  static constexpr size_t parts() { return kParts; }

 private:
  static_assert(kParts > 0 && kParts <= 32 && (kParts & (kParts - 1)) == 0, "kParts: a power of two, at most 32");
  Part& PartFor(const K& key) { return parts_[PartIndex(key)]; }
  std::array<Part, kParts> parts_;
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_SPLIT_MAP_H_
