// Provider: which provider's API a task came through, as the engine sees it — a small id
// handed out by name when the provider is registered (providers/provider_catalog.h), not an
// enum: the engine, the task store, the state log, metrics and the control API learn the
// providers from this table, so adding one touches none of them. The table is process-wide
// and append-only (ids stay valid for the life of the process); registration happens at
// start-up, lookups are lock-free and thread-safe.
#ifndef IMAGINE_ENGINE_PROVIDER_H_
#define IMAGINE_ENGINE_PROVIDER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imagine {

// At most this many providers in one process (per-provider counters are sized by it).
constexpr size_t kMaxProviders = 16;

struct Provider {
  uint8_t id = 0;  // index into the table; a default Provider is the first registered one

  size_t index() const { return id; }
  friend bool operator==(Provider a, Provider b) { return a.id == b.id; }
  friend bool operator!=(Provider a, Provider b) { return a.id != b.id; }
  friend bool operator<(Provider a, Provider b) { return a.id < b.id; }
};

// The id of `name`, registering it on first use (the same name always gets the same id).
// Aborts with a message beyond kMaxProviders or for a name that is not [a-z0-9_-]{1,32}.
Provider InternProvider(std::string_view name);
// The id of a registered name; nullopt when no provider has that name.
std::optional<Provider> FindProvider(std::string_view name);
// The registered name ("?" for an id never handed out).
const char* ProviderName(Provider p);
// How many providers are registered; ids are 0 .. ProviderCount()-1.
size_t ProviderCount();
// Every registered provider, in registration order.
std::vector<Provider> AllProviders();
// Their names, in registration order.
std::vector<std::string> ProviderNames();

}  // namespace imagine

#endif  // IMAGINE_ENGINE_PROVIDER_H_
