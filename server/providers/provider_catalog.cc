#include "providers/provider_catalog.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace imagine {
namespace {

struct Catalog {
  std::mutex mu;
  std::vector<ProviderPlugin> added;  // by AddProviderPlugin, before `frozen`
  bool frozen = false;
};

Catalog& TheCatalog() {
  static Catalog catalog;
  return catalog;
}

[[noreturn]] void Refuse(const std::string& name, const char* why) {
  std::fprintf(stderr, "imagine-emu: cannot add provider '%s': %s\n", name.c_str(), why);
  std::abort();
}

}  // namespace

void AddProviderPlugin(ProviderPlugin plugin) {
  Catalog& c = TheCatalog();
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.frozen) Refuse(plugin.name, "the providers are already in use (add it before main, with a ProviderRegistrar)");
  for (const ProviderPlugin& p : c.added) {
    if (p.name == plugin.name) Refuse(plugin.name, "a provider with this name is already added");
  }
  c.added.push_back(std::move(plugin));
}

const std::vector<ProviderPlugin>& ProviderPlugins() {
  static const std::vector<ProviderPlugin> kPlugins = [] {
    Catalog& c = TheCatalog();
    std::lock_guard<std::mutex> lock(c.mu);
    c.frozen = true;
    std::vector<ProviderPlugin> all = BuiltinProviderPlugins();
    for (ProviderPlugin& p : c.added) {
      for (const ProviderPlugin& b : all) {
        if (b.name == p.name) Refuse(p.name, "a built-in provider has this name");
      }
      all.push_back(std::move(p));
    }
    for (const ProviderPlugin& p : all) InternProvider(p.name);
    return all;
  }();
  return kPlugins;
}

std::vector<std::string> ProviderNamesInCatalog() {
  std::vector<std::string> names;
  for (const ProviderPlugin& p : ProviderPlugins()) names.push_back(p.name);
  return names;
}

const ProviderPlugin* FindProviderPlugin(std::string_view name) {
  for (const ProviderPlugin& p : ProviderPlugins()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace imagine
