#include "spec/schema_navigation.h"

#include "common/text.h"

namespace imagine::spec {

using json = nlohmann::json;

std::vector<std::string> PointerTokens(std::string_view pointer) {
  std::vector<std::string> out;
  for (size_t i = 1; i <= pointer.size() && !pointer.empty();) {
    size_t j = pointer.find('/', i);
    if (j == std::string_view::npos) j = pointer.size();
    out.push_back(UnescapePointerToken(pointer.substr(i, j - i)));
    i = j + 1;
  }
  return out;
}

std::vector<const json*> SchemaView(const json& root, const json* node) {
  std::vector<const json*> out;
  std::vector<const json*> todo = {node};
  while (!todo.empty() && out.size() < 16) {
    const json* n = todo.back();
    todo.pop_back();
    if (n == nullptr || !n->is_object()) continue;
    out.push_back(n);
    if (auto all = n->find("allOf"); all != n->end() && all->is_array()) {
      for (auto it = all->rbegin(); it != all->rend(); ++it) todo.push_back(&*it);
    }
    if (auto ref = n->find("$ref"); ref != n->end() && ref->is_string()) {
      try {
        todo.push_back(&root.at(json::json_pointer(ref->get<std::string>().substr(1))));
      } catch (const json::exception&) {
      }
    }
  }
  return out;
}

const json* FindInView(const std::vector<const json*>& view, const char* key) {
  for (const json* n : view) {
    if (auto it = n->find(key); it != n->end()) return &*it;
  }
  return nullptr;
}

const json* SchemaNodeAt(const json& root, const json* schema, const std::vector<std::string>& tokens) {
  const json* node = schema;
  for (const std::string& token : tokens) {
    const std::vector<const json*> view = SchemaView(root, node);
    const json* properties = FindInView(view, "properties");
    const json* items = FindInView(view, "items");
    const json* extra = FindInView(view, "additionalProperties");
    if (properties != nullptr && properties->is_object() && properties->contains(token)) {
      node = &(*properties)[token];
    } else if (items != nullptr && items->is_array()) {  // a tuple: the token is a position
      size_t at = 0;
      for (char c : token) at = c >= '0' && c <= '9' && at < items->size() ? at * 10 + static_cast<size_t>(c - '0') : items->size();
      if (token.empty() || at >= items->size()) return nullptr;
      node = &(*items)[at];
    } else if (items != nullptr && items->is_object()) {
      node = items;
    } else if (extra != nullptr && extra->is_object()) {
      node = extra;
    } else {
      return nullptr;
    }
  }
  return node;
}

}  // namespace imagine::spec
