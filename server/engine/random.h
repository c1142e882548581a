// Random: the emulator's one seeded random source (splitmix64). A run with the same
// --seed and the same request order produces the same ids and stage durations.
// A Random object is not thread-safe; the engine derives an independent stream per
// task from (seed, task sequence number), so no lock is shared between requests.
#ifndef IMAGINE_ENGINE_RANDOM_H_
#define IMAGINE_ENGINE_RANDOM_H_

#include <cstdint>
#include <string>

namespace imagine {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  // An independent stream for item `n` of a run seeded with `seed`.
  static Random Stream(uint64_t seed, uint64_t n) { return Random(Mix(seed ^ Mix(n + 0x9e3779b97f4a7c15ULL))); }

  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return Mix(state_);
  }
  // Uniform in [lo, hi]; returns lo when hi <= lo.
  double Uniform(double lo, double hi) {
    if (hi <= lo) return lo;
    return lo + (hi - lo) * (static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0));
  }
  // `n` characters drawn from `alphabet`.
  std::string Chars(size_t n, const char* alphabet, size_t alphabet_size) {
    std::string s(n, '0');
    for (char& c : s) c = alphabet[Next() % alphabet_size];
    return s;
  }

 private:
  static uint64_t Mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t state_;
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_RANDOM_H_
