// The validator's value helpers, inline because the evaluator runs them for every value
// it checks: type bits, exact number comparison, JSON Schema equality, string lengths.
// Part of spec/internal; pure functions; thread-safe.
#ifndef IMAGINE_SPEC_INTERNAL_SCHEMA_VALUES_H_
#define IMAGINE_SPEC_INTERNAL_SCHEMA_VALUES_H_

#include <cmath>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace imagine::spec::internal {

using json = nlohmann::json;

// Instance/schema type bits. An integer instance carries both kInteger and kNumber; a float
// carries kInteger too when it has no fractional part (1.0 is an integer, as in the suite).
enum TypeBit : uint8_t {
  kNullBit = 1 << 0,
  kBooleanBit = 1 << 1,
  kObjectBit = 1 << 2,
  kArrayBit = 1 << 3,
  kNumberBit = 1 << 4,
  kStringBit = 1 << 5,
  kIntegerBit = 1 << 6,
};

constexpr int kUnordered = 2;  // CompareNumbers: NaN is involved

inline size_t CountCodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

inline double ToDouble(const json& v) {
  switch (v.type()) {
    case json::value_t::number_float: return v.get_ref<const json::number_float_t&>();
    case json::value_t::number_integer:
      return static_cast<double>(v.get_ref<const json::number_integer_t&>());
    case json::value_t::number_unsigned:
      return static_cast<double>(v.get_ref<const json::number_unsigned_t&>());
    default: return 0;
  }
}

// Numeric comparison of two JSON numbers: -1, 0, 1, or kUnordered (NaN). Exact when both are
// integers (signed/unsigned mixed), double arithmetic otherwise.
inline int CompareNumbers(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    const bool au = a.is_number_unsigned();
    const bool bu = b.is_number_unsigned();
    if (au && bu) {
      auto x = a.get_ref<const json::number_unsigned_t&>();
      auto y = b.get_ref<const json::number_unsigned_t&>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (!au && !bu) {
      auto x = a.get_ref<const json::number_integer_t&>();
      auto y = b.get_ref<const json::number_integer_t&>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (au) {  // a unsigned, b signed
      auto y = b.get_ref<const json::number_integer_t&>();
      if (y < 0) return 1;
      auto x = a.get_ref<const json::number_unsigned_t&>();
      auto uy = static_cast<uint64_t>(y);
      return x < uy ? -1 : (x > uy ? 1 : 0);
    }
    auto x = a.get_ref<const json::number_integer_t&>();  // a signed, b unsigned
    if (x < 0) return -1;
    auto ux = static_cast<uint64_t>(x);
    auto y = b.get_ref<const json::number_unsigned_t&>();
    return ux < y ? -1 : (ux > y ? 1 : 0);
  }
  const double x = ToDouble(a);
  const double y = ToDouble(b);
  if (x < y) return -1;
  if (x > y) return 1;
  if (x == y) return 0;
  return kUnordered;
}

// JSON Schema equality: numbers by value (1 == 1.0), containers structurally.
inline bool JsonEqual(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return CompareNumbers(a, b) == 0;
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::object: {
      const auto& x = a.get_ref<const json::object_t&>();
      const auto& y = b.get_ref<const json::object_t&>();
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
        if (i->first != j->first || !JsonEqual(i->second, j->second)) return false;
      }
      return true;
    }
    case json::value_t::array: {
      const auto& x = a.get_ref<const json::array_t&>();
      const auto& y = b.get_ref<const json::array_t&>();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!JsonEqual(x[i], y[i])) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

inline uint8_t InstanceTypeBits(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return kNullBit;
    case json::value_t::boolean: return kBooleanBit;
    case json::value_t::object: return kObjectBit;
    case json::value_t::array: return kArrayBit;
    case json::value_t::string: return kStringBit;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return kNumberBit | kIntegerBit;
    case json::value_t::number_float: {
      const double d = v.get_ref<const json::number_float_t&>();
      if (std::isfinite(d) && std::floor(d) == d) return kNumberBit | kIntegerBit;
      return kNumberBit;
    }
    default: return 0;  // binary / discarded: matches no type
  }
}

}  // namespace imagine::spec::internal

#endif  // IMAGINE_SPEC_INTERNAL_SCHEMA_VALUES_H_
