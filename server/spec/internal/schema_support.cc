// The shared helpers of spec/internal/schema_node.h: JSON pointers, value rendering,
// number comparison and type bits.
#include <cmath>

#include "spec/internal/schema_node.h"

namespace imagine::spec::internal {

// RFC 6901 token escaping: "~" -> "~0", "/" -> "~1".
void AppendPointerToken(std::string& out, const std::string& token) {
  out.push_back('/');
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
}

std::string ChildPointer(const std::string& parent, const std::string& token) {
  std::string out = parent;
  AppendPointerToken(out, token);
  return out;
}

std::string ChildPointer(const std::string& parent, size_t index) {
  return parent + "/" + std::to_string(index);
}

// "#/a/b" for messages; "#" for the root.
std::string Where(const std::string& pointer) { return "#" + pointer; }

size_t CountCodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Byte offset where code point number `count` starts (or s.size() if s is shorter).
size_t CodePointOffset(const std::string& s, size_t count) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == count) return i;
      ++seen;
    }
  }
  return s.size();
}

std::string DumpCompact(const json& v) {
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Compact JSON of `v`, stopping soon after `out` exceeds `budget` bytes so a huge value never
// gets serialized in full just to be truncated.
void DumpBounded(const json& v, size_t budget, std::string& out) {
  if (out.size() > budget) return;
  switch (v.type()) {
    case json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (out.size() > budget) return;
        if (!first) out.push_back(',');
        first = false;
        out += DumpCompact(json(it.key()));
        out.push_back(':');
        DumpBounded(it.value(), budget, out);
      }
      out.push_back('}');
      return;
    }
    case json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const json& item : v) {
        if (out.size() > budget) return;
        if (!first) out.push_back(',');
        first = false;
        DumpBounded(item, budget, out);
      }
      out.push_back(']');
      return;
    }
    case json::value_t::string: {
      const std::string& s = v.get_ref<const std::string&>();
      if (s.size() <= budget) {
        out += DumpCompact(v);
      } else {
        size_t cut = budget;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
        out += DumpCompact(json(s.substr(0, cut)));
      }
      return;
    }
    default:
      out += DumpCompact(v);
      return;
  }
}

// The ValidationError::value rendering: compact JSON cut to 100 code points plus "…".
std::string RenderValue(const json& v) {
  // 4 bytes per code point at most, so a 512-byte prefix always holds 101 code points
  // whenever the full rendering does.
  std::string out;
  DumpBounded(v, 512, out);
  if (CountCodePoints(out) > kMaxValueCodePoints) {
    out.resize(CodePointOffset(out, kMaxValueCodePoints));
    out += kEllipsis;
  }
  return out;
}

// A schema value inside a message: strings bare, everything else compact JSON.
std::string RenderForMessage(const json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>();
  return DumpCompact(v);
}

double ToDouble(const json& v) {
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
int CompareNumbers(const json& a, const json& b) {
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
bool JsonEqual(const json& a, const json& b) {
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

uint8_t InstanceTypeBits(const json& v) {
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

bool TypeBitFor(const std::string& name, uint8_t* bit) {
  static const std::pair<const char*, uint8_t> kTypes[] = {
      {"null", kNullBit},     {"boolean", kBooleanBit}, {"object", kObjectBit},
      {"array", kArrayBit},   {"number", kNumberBit},   {"string", kStringBit},
      {"integer", kIntegerBit},
  };
  for (const auto& [type_name, type_bit] : kTypes) {
    if (name == type_name) {
      *bit = type_bit;
      return true;
    }
  }
  return false;
}

}  // namespace imagine::spec::internal
