#include "engine/provider.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace imagine {
namespace {

// Names are written once, before the count that publishes them (release/acquire), and
// never change after: readers need no lock.
struct Table {
  std::array<std::array<char, 33>, kMaxProviders> names{};
  std::atomic<size_t> count{0};
  std::mutex write_mu;
};

Table& TheTable() {
  static Table table;
  return table;
}

bool WellFormed(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

std::optional<Provider> Lookup(const Table& t, std::string_view name, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (name == t.names[i].data()) return Provider{static_cast<uint8_t>(i)};
  }
  return std::nullopt;
}

}  // namespace

Provider InternProvider(std::string_view name) {
  Table& t = TheTable();
  std::lock_guard<std::mutex> lock(t.write_mu);
  const size_t count = t.count.load(std::memory_order_relaxed);
  if (auto found = Lookup(t, name, count)) return *found;
  if (!WellFormed(name) || count == kMaxProviders) {
    std::fprintf(stderr, "imagine-emu: cannot register provider '%.*s' (%s)\n", static_cast<int>(name.size()),
                 name.data(), count == kMaxProviders ? "too many providers" : "name must be [a-z0-9_-]{1,32}");
    std::abort();
  }
  name.copy(t.names[count].data(), name.size());
  t.count.store(count + 1, std::memory_order_release);
  return Provider{static_cast<uint8_t>(count)};
}

std::optional<Provider> FindProvider(std::string_view name) {
  const Table& t = TheTable();
  return Lookup(t, name, t.count.load(std::memory_order_acquire));
}

const char* ProviderName(Provider p) {
  const Table& t = TheTable();
  return p.index() < t.count.load(std::memory_order_acquire) ? t.names[p.index()].data() : "?";
}

size_t ProviderCount() { return TheTable().count.load(std::memory_order_acquire); }

std::vector<Provider> AllProviders() {
  std::vector<Provider> out;
  for (size_t i = 0; i < ProviderCount(); ++i) out.push_back(Provider{static_cast<uint8_t>(i)});
  return out;
}

std::vector<std::string> ProviderNames() {
  std::vector<std::string> out;
  for (Provider p : AllProviders()) out.emplace_back(ProviderName(p));
  return out;
}

}  // namespace imagine
