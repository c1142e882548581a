// The shared helpers of spec/internal/schema_node.h: JSON pointers, value rendering,
// number comparison and type bits.
#include <cmath>

#include "common/text.h"
#include "spec/internal/schema_node.h"

namespace imagine::spec::internal {

// RFC 6901 token escaping: "~" -> "~0", "/" -> "~1".
void AppendPointerToken(std::string& out, const std::string& token) {
  out.push_back('/');
  out += EscapePointerToken(token);
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
