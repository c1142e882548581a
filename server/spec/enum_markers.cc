#include "spec/enum_markers.h"

namespace imagine::spec {

size_t FillEnumMarkers(nlohmann::json* document,
                       const std::map<std::string, std::vector<std::string>, std::less<>>& lists) {
  size_t filled = 0;
  if (document->is_object()) {
    if (auto marker = document->find("x-enum"); marker != document->end() && marker->is_string()) {
      if (auto list = lists.find(marker->get_ref<const std::string&>()); list != lists.end()) {
        (*document)["enum"] = list->second;
        ++filled;
      }
    }
    for (auto it = document->begin(); it != document->end(); ++it) filled += FillEnumMarkers(&it.value(), lists);
  } else if (document->is_array()) {
    for (auto& child : *document) filled += FillEnumMarkers(&child, lists);
  }
  return filled;
}

size_t FillEnumMarkers(nlohmann::json* document, std::string_view list, const std::vector<std::string>& values) {
  return FillEnumMarkers(document, {{std::string(list), values}});
}

}  // namespace imagine::spec
