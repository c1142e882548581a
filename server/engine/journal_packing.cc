// How the journal holds an entry: the numbers in Journal::Packed, every string in one
// block (engine/packed_fields.h); the request headers are the last field, as [u32 name
// length][name][u32 value length][value] pairs.
#include <cstring>

#include "engine/journal.h"
#include "engine/packed_fields.h"

namespace imagine {
namespace {

constexpr int kFields = 14;  // 13 strings, then the headers
constexpr int kHeaders = 13;

// String field n of an entry, a view of one (JournalEntryView) alike: their members share names.
template <typename Entry>
auto* FieldOf(Entry& e, int n) {
  decltype(&e.request_id) fields[kHeaders] = {&e.request_id, &e.task_id,      &e.key,           &e.provider, &e.operation,
                                              &e.method,     &e.path,         &e.query,         &e.request_body,
                                              &e.content_type, &e.response_body, &e.scenario,    &e.detail_json};
  return fields[n];
}
std::string_view ViewField(const JournalEntryView& e, int n) { return *FieldOf(e, n); }
std::string* StringField(JournalEntry& e, int n) { return FieldOf(e, n); }

// The numbers of an entry, a view or a packed entry, copied to another (seq apart).
template <typename From, typename To>
void CopyNumbers(const From& from, To& to) {
  to.kind = from.kind;
  to.at_ms = from.at_ms;
  to.wall_ms = from.wall_ms;
  to.status = from.status;
  to.latency_us = from.latency_us;
}

}  // namespace

std::string_view Journal::Packed::Field(int n) const {
  if (!blob) return {};
  return PackedField(blob.get(), kFields, n);
}

JournalEntryView JournalEntryView::Of(const JournalEntry& e) {
  JournalEntryView v;
  CopyNumbers(e, v);
  v.request_headers = &e.request_headers;
  for (int n = 0; n < kHeaders; ++n) *FieldOf(v, n) = *FieldOf(e, n);
  return v;
}

JournalEntry JournalEntryView::ToEntry() const {
  JournalEntry e;
  CopyNumbers(*this, e);
  if (request_headers != nullptr) e.request_headers = *request_headers;
  for (int n = 0; n < kHeaders; ++n) *StringField(e, n) = std::string(ViewField(*this, n));
  return e;
}

Journal::Packed Journal::Pack(const JournalEntryView& e) {
  static const std::vector<std::pair<std::string, std::string>> kNoHeaders;
  const auto& request_headers = e.request_headers != nullptr ? *e.request_headers : kNoHeaders;
  size_t strings = 0;
  for (int n = 0; n < kHeaders; ++n) strings += ViewField(e, n).size();
  size_t headers = 0;
  for (const auto& [k, v] : request_headers) headers += 8 + k.size() + v.size();
  PackedFieldsWriter w(kFields, strings + headers);
  for (int n = 0; n < kHeaders; ++n) w.Add(ViewField(e, n));
  char* out = w.Next(headers);
  for (const auto& [k, v] : request_headers) {
    for (const std::string* s : {&k, &v}) {
      PutU32(out, static_cast<uint32_t>(s->size()));
      std::memcpy(out + 4, s->data(), s->size());
      out += 4 + s->size();
    }
  }
  Packed p;
  CopyNumbers(e, p);
  p.size = static_cast<uint32_t>(w.size());
  p.blob = w.Finish();
  return p;
}

JournalEntry Journal::Unpack(const Packed& p) {
  JournalEntry e;
  e.seq = p.seq;
  CopyNumbers(p, e);
  for (int n = 0; n < kHeaders; ++n) *StringField(e, n) = std::string(p.Field(n));
  std::string_view headers = p.Field(kHeaders);
  while (headers.size() >= 8) {
    std::string parts[2];
    for (std::string& part : parts) {
      const uint32_t n = GetU32(headers.data());
      part = std::string(headers.substr(4, n));
      headers.remove_prefix(4 + n);
    }
    e.request_headers.emplace_back(std::move(parts[0]), std::move(parts[1]));
  }
  return e;
}

bool Journal::Matches(const Packed& p, const JournalFilter& f) {
  if (p.seq <= f.since) return false;
  if (f.kind && p.kind != *f.kind) return false;
  if (!f.key.empty() && p.Field(2) != f.key) return false;
  if (!f.task_id.empty() && p.Field(1) != f.task_id) return false;
  if (f.status && p.status != *f.status) return false;
  if (!f.path.empty()) {
    const std::string_view path = p.Field(6);
    if (f.path.back() == '*') {
      if (path.substr(0, f.path.size() - 1) != std::string_view(f.path).substr(0, f.path.size() - 1)) return false;
    } else if (path != f.path) {
      return false;
    }
  }
  return true;
}

}  // namespace imagine
