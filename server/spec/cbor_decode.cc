// The pre-parsed forms' CBOR subset, decoded straight into nlohmann values; see cbor_decode.h.
#include "spec/cbor_decode.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "spec/yaml_json.h"

namespace imagine::spec {
namespace {

template <class Json>
class Decoder {
 public:
  explicit Decoder(std::string_view bytes)
      : at_(reinterpret_cast<const uint8_t*>(bytes.data())), end_(at_ + bytes.size()) {}

  bool DecodeAll(Json* out) { return Decode(out, 0) && at_ == end_; }

 private:
  using String = typename Json::string_t;

  bool Decode(Json* out, int depth) {
    if (at_ == end_ || depth > kMaxYamlDepth) return false;
    const uint8_t initial = *at_++;
    const uint8_t major = initial >> 5;
    const uint8_t info = initial & 0x1f;
    if (major == 7) return Simple(info, out);
    uint64_t n = 0;
    if (!Argument(info, &n)) return false;
    switch (major) {
      case 0:
        *out = static_cast<typename Json::number_unsigned_t>(n);
        return true;
      case 1:
        if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
        *out = static_cast<typename Json::number_integer_t>(-1 - static_cast<int64_t>(n));
        return true;
      case 3: {
        String text;
        if (!Text(n, &text)) return false;
        *out = std::move(text);
        return true;
      }
      case 4: {
        *out = Json::array();
        auto& items = out->template get_ref<typename Json::array_t&>();
        if (n > static_cast<uint64_t>(end_ - at_)) return false;  // each item takes a byte at least
        items.reserve(static_cast<size_t>(n));
        for (uint64_t i = 0; i < n; ++i) {
          items.emplace_back();
          if (!Decode(&items.back(), depth + 1)) return false;
        }
        return true;
      }
      case 5: {
        *out = Json::object();
        auto& members = out->template get_ref<typename Json::object_t&>();
        for (uint64_t i = 0; i < n; ++i) {
          if (at_ == end_ || (*at_ >> 5) != 3) return false;  // keys are text
          uint64_t length = 0;
          if (!Argument(*at_++ & 0x1f, &length)) return false;
          String key;
          if (!Text(length, &key)) return false;
          Json* value = Insert(members, std::move(key));
          if (value == nullptr || !Decode(value, depth + 1)) return false;
        }
        return true;
      }
      default:  // 2: byte strings, 6: tags
        return false;
    }
  }

  // The new member's value, or nullptr for a duplicate key. A std::map is given the end as
  // its hint (the keys come sorted unless the CBOR keeps a document's order).
  static Json* Insert(typename Json::object_t& members, String key) {
    if constexpr (std::is_same_v<Json, nlohmann::json>) {  // a std::map; ordered_json's is a vector
      const size_t before = members.size();
      auto it = members.emplace_hint(members.end(), std::move(key), Json());
      return members.size() == before ? nullptr : &it->second;
    } else {
      auto [it, inserted] = members.emplace(std::move(key), Json());
      return inserted ? &it->second : nullptr;
    }
  }

  bool Simple(uint8_t info, Json* out) {
    switch (info) {
      case 20: *out = false; return true;
      case 21: *out = true; return true;
      case 22: *out = nullptr; return true;
      case 25: {  // half float: what to_cbor writes for NaN and the infinities (RFC 8949 Appendix D)
        uint64_t half = 0;
        if (!BigEndian(2, &half)) return false;
        const int exponent = static_cast<int>((half >> 10) & 0x1f);
        const double mantissa = static_cast<double>(half & 0x3ff);
        double value = exponent == 0    ? std::ldexp(mantissa, -24)
                       : exponent == 31 ? (mantissa == 0 ? std::numeric_limits<double>::infinity()
                                                         : std::numeric_limits<double>::quiet_NaN())
                                        : std::ldexp(mantissa + 1024, exponent - 25);
        *out = (half & 0x8000) != 0 ? -value : value;
        return true;
      }
      case 26: {
        uint64_t bits = 0;
        if (!BigEndian(4, &bits)) return false;
        const uint32_t narrow = static_cast<uint32_t>(bits);
        float value;
        std::memcpy(&value, &narrow, sizeof value);
        *out = static_cast<double>(value);
        return true;
      }
      case 27: {
        uint64_t bits = 0;
        if (!BigEndian(8, &bits)) return false;
        double value;
        std::memcpy(&value, &bits, sizeof value);
        *out = value;
        return true;
      }
      default:
        return false;
    }
  }

  // The count or value an initial byte's low five bits give (definite lengths only).
  bool Argument(uint8_t info, uint64_t* n) {
    if (info < 24) {
      *n = info;
      return true;
    }
    if (info > 27) return false;  // reserved, or an indefinite length
    return BigEndian(1 << (info - 24), n);
  }

  bool BigEndian(int bytes, uint64_t* n) {
    if (end_ - at_ < bytes) return false;
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = (value << 8) | *at_++;
    *n = value;
    return true;
  }

  bool Text(uint64_t length, String* out) {
    if (length > static_cast<uint64_t>(end_ - at_)) return false;
    out->assign(reinterpret_cast<const char*>(at_), static_cast<size_t>(length));
    at_ += length;
    return true;
  }

  const uint8_t* at_;
  const uint8_t* const end_;
};

template <class Json>
std::optional<Json> DecodeAs(std::string_view bytes) {
  Json out;
  Decoder<Json> decoder(bytes);
  if (!decoder.DecodeAll(&out)) return std::nullopt;
  return out;
}

}  // namespace

std::optional<nlohmann::json> DecodeCbor(std::string_view bytes) { return DecodeAs<nlohmann::json>(bytes); }

std::optional<nlohmann::ordered_json> DecodeOrderedCbor(std::string_view bytes) {
  return DecodeAs<nlohmann::ordered_json>(bytes);
}

}  // namespace imagine::spec
