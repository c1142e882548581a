// PackedFields: a fixed number of byte strings in one heap block — a table of uint32 end
// offsets (one per field), then the fields' bytes back to back — the compact form of the
// task store's records (StoredTask) and the journal's entries (Journal::Packed). Field n
// is O(1) to read. Header-only; a block is immutable once written, so readers may share it.
//
//   PackedFieldsWriter w(2, a.size() + b.size());
//   w.Add(a);
//   w.Add(b);
//   std::unique_ptr<char[]> blob = w.Finish();
//   PackedField(blob.get(), 2, 1) == b
#ifndef IMAGINE_ENGINE_PACKED_FIELDS_H_
#define IMAGINE_ENGINE_PACKED_FIELDS_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace imagine {

inline void PutU32(char* at, uint32_t v) { std::memcpy(at, &v, sizeof(v)); }
inline uint32_t GetU32(const char* at) {
  uint32_t v;
  std::memcpy(&v, at, sizeof(v));
  return v;
}

// Field n of a block of `fields` fields (precondition: n < fields, blob written whole).
inline std::string_view PackedField(const char* blob, int fields, int n) {
  const uint32_t begin = n == 0 ? static_cast<uint32_t>(fields) * 4 : GetU32(blob + (n - 1) * 4);
  return std::string_view(blob + begin, GetU32(blob + n * 4) - begin);
}

// Writes one block. Precondition: exactly `fields` fields are added, `bytes` in all.
class PackedFieldsWriter {
 public:
  PackedFieldsWriter(int fields, size_t bytes)
      : size_(static_cast<size_t>(fields) * 4 + bytes), blob_(new char[size_]), at_(static_cast<size_t>(fields) * 4) {}

  // Reserves the next field's `size` bytes and returns where to write them.
  char* Next(size_t size) {
    char* where = blob_.get() + at_;
    at_ += size;
    PutU32(blob_.get() + next_ * 4, static_cast<uint32_t>(at_));
    ++next_;
    return where;
  }
  void Add(std::string_view s) {
    if (!s.empty()) std::memcpy(Next(s.size()), s.data(), s.size());
    else Next(0);
  }

  size_t size() const { return size_; }  // bytes of the block
  std::unique_ptr<char[]> Finish() { return std::move(blob_); }

 private:
  const size_t size_;
  std::unique_ptr<char[]> blob_;
  size_t at_;
  int next_ = 0;
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_PACKED_FIELDS_H_
