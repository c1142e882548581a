#include "spec/enum_markers.h"

namespace imagine::spec {

size_t FillEnumMarkers(nlohmann::json* document, std::string_view list, const std::vector<std::string>& values) {
  size_t filled = 0;
  if (document->is_object()) {
    if (auto marker = document->find("x-enum"); marker != document->end() && marker->is_string() && *marker == list) {
      (*document)["enum"] = values;
      ++filled;
    }
    for (auto& [key, child] : document->items()) filled += FillEnumMarkers(&child, list, values);
  } else if (document->is_array()) {
    for (auto& child : *document) filled += FillEnumMarkers(&child, list, values);
  }
  return filled;
}

}  // namespace imagine::spec
