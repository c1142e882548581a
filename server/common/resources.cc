#include "common/resources.h"

namespace imagine {

std::optional<std::string_view> FindResource(std::string_view name) {
  for (const Resource& r : AllResources()) {
    if (r.name == name) return r.data;
  }
  return std::nullopt;
}

std::optional<std::string_view> FindPreparsed(std::string_view name) {
  for (const Resource& r : PreparsedResources()) {
    if (r.name == name) return r.data;
  }
  return std::nullopt;
}

}  // namespace imagine
