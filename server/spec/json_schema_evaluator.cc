// The JSON Schema evaluator: walks the compiled node table for one instance, allocating
// nothing on the success path, and applies defaults. See json_schema.h for the error order.
#include <algorithm>
#include <exception>
#include <cmath>

#include "common/url.h"
#include "spec/internal/schema_node.h"

namespace imagine::spec {

using namespace internal;  // NOLINT: this file implements the internals

// ------------------------------------------------------------------------------------------
// Evaluator

class Validator::Evaluator {
 public:
  // `errors` null = silent (stop at the first failure, build nothing).
  Evaluator(const std::vector<Node>& nodes, std::vector<ValidationError>* errors, bool all_errors,
            bool reject_unknown_properties = false)
      : nodes_(nodes), errors_(errors), all_errors_(all_errors && errors != nullptr),
        reject_unknown_properties_(reject_unknown_properties) {}

  // One step of the instance location, kept on the C++ stack; turned into a JSON pointer
  // only when an error is reported.
  struct Path {
    const Path* parent;
    const std::string* key;  // null for an array index
    size_t index;
  };

  bool Check(int node, const json& inst, const Path* path, int depth);
  void ApplyDefaults(int node, json& inst, int depth) const;

 private:
  bool CheckObject(const Node& n, const json& inst, const Path* path, int depth);
  bool CheckArray(const Node& n, const json& inst, const Path* path, int depth);
  bool CheckString(const Node& n, const json& inst, const Path* path);
  bool CheckNumber(const Node& n, const json& inst, const Path* path);
  bool CheckBound(const Node::Bound& b, bool lower, const json& inst, const Path* path);
  bool CheckCombinators(const Node& n, const json& inst, const Path* path, int depth);

  // Records one error; returns whether evaluation should go on (all_errors).
  bool Report(const Path* path, const std::string* missing, const char* keyword,
              std::string message, const json* value);
  bool Collecting() const { return all_errors_; }

  static std::string PointerOf(const Path* path, const std::string* last);
  static std::string TypeMessage(const Node& n);

  const std::vector<Node>& nodes_;
  std::vector<ValidationError>* errors_;
  bool all_errors_;
  bool reject_unknown_properties_;
};

// Fails the current check: builds the message only when errors are being recorded.
#define IMAGINE_SCHEMA_FAIL(path, missing, keyword, message, value)     \
  do {                                                                  \
    ok = false;                                                         \
    if (errors_ == nullptr) return false;                               \
    if (!Report((path), (missing), (keyword), (message), (value))) return false; \
  } while (0)

// Propagates a failed sub-check: stop unless collecting every error.
#define IMAGINE_SCHEMA_SUB(expr)          \
  do {                                    \
    if (!(expr)) {                        \
      ok = false;                         \
      if (!Collecting()) return false;    \
    }                                     \
  } while (0)

std::string Validator::Evaluator::PointerOf(const Path* path, const std::string* last) {
  std::vector<const Path*> steps;
  for (const Path* p = path; p != nullptr; p = p->parent) steps.push_back(p);
  std::string out;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if ((*it)->key != nullptr) {
      AppendPointerToken(out, *(*it)->key);
    } else {
      out += "/" + std::to_string((*it)->index);
    }
  }
  if (last != nullptr) AppendPointerToken(out, *last);
  return out;
}

std::string Validator::Evaluator::TypeMessage(const Node& n) {
  std::vector<std::string> names = n.type_names;
  if (n.nullable && std::find(names.begin(), names.end(), "null") == names.end()) {
    names.push_back("null");
  }
  std::string out = "must be of type ";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

bool Validator::Evaluator::Report(const Path* path, const std::string* missing,
                                  const char* keyword, std::string message, const json* value) {
  ValidationError e;
  e.pointer = PointerOf(path, missing);
  e.keyword = keyword;
  e.message = std::move(message);
  if (value != nullptr) e.value = RenderValue(*value);
  errors_->push_back(std::move(e));
  return all_errors_;
}

bool Validator::Evaluator::Check(int node, const json& inst, const Path* path, int depth) {
  const Node& n = nodes_[node];
  bool ok = true;
  switch (n.kind) {
    case Node::Kind::kAny:
      return true;
    case Node::Kind::kNever:
      IMAGINE_SCHEMA_FAIL(path, nullptr, "false", "is not allowed", &inst);
      return false;
    case Node::Kind::kSchema:
      break;
  }
  if (n.nullable && inst.is_null()) return true;
  if (depth > kMaxInstanceDepth) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "maxDepth",
                        "is nested more than " + std::to_string(kMaxInstanceDepth) +
                            " levels deep",
                        &inst);
    return false;
  }
  if (n.types != 0 && (InstanceTypeBits(inst) & n.types) == 0) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "type", TypeMessage(n), &inst);
  }
  if (n.has_enum) {
    bool found = false;
    for (const json& candidate : n.enum_values) {
      if (JsonEqual(candidate, inst)) {
        found = true;
        break;
      }
    }
    if (!found) {
      std::string message = "must be one of: ";
      for (size_t i = 0; i < n.enum_values.size(); ++i) {
        if (i > 0) message += ", ";
        message += RenderForMessage(n.enum_values[i]);
      }
      IMAGINE_SCHEMA_FAIL(path, nullptr, "enum", std::move(message), &inst);
    }
  }
  if (n.has_const && !JsonEqual(n.const_value, inst)) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "const",
                        "must be equal to " + RenderForMessage(n.const_value), &inst);
  }
  switch (inst.type()) {
    case json::value_t::object:
      if (n.has_object_checks) IMAGINE_SCHEMA_SUB(CheckObject(n, inst, path, depth));
      break;
    case json::value_t::array:
      if (n.has_array_checks) IMAGINE_SCHEMA_SUB(CheckArray(n, inst, path, depth));
      break;
    case json::value_t::string:
      if (n.has_string_checks) IMAGINE_SCHEMA_SUB(CheckString(n, inst, path));
      break;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      if (n.has_number_checks) IMAGINE_SCHEMA_SUB(CheckNumber(n, inst, path));
      break;
    default:
      break;
  }
  if (n.has_combinators) IMAGINE_SCHEMA_SUB(CheckCombinators(n, inst, path, depth));
  return ok;
}

bool Validator::Evaluator::CheckObject(const Node& n, const json& inst, const Path* path,
                                       int depth) {
  bool ok = true;
  const auto& object = *inst.get_ptr<const json::object_t*>();
  for (const std::string& name : n.required) {
    if (object.find(name) == object.end()) {
      IMAGINE_SCHEMA_FAIL(path, &name, "required", "is required", nullptr);
    }
  }
  if (n.properties.empty() && n.additional_properties < 0) return ok;
  // Merge walk: instance members and n.properties are both sorted by name.
  auto prop = n.properties.begin();
  const auto prop_end = n.properties.end();
  for (const auto& [key, value] : object) {
    int cmp = 1;
    while (prop != prop_end && (cmp = prop->first.compare(key)) < 0) ++prop;
    int child;
    if (prop != prop_end && cmp == 0) {
      child = prop->second;
    } else if (n.additional_properties >= 0) {
      child = n.additional_properties;
      if (nodes_[child].kind == Node::Kind::kNever) {
        Path step{path, &key, 0};
        IMAGINE_SCHEMA_FAIL(&step, nullptr, "additionalProperties", "is not allowed", &value);
        continue;
      }
    } else if (reject_unknown_properties_ && !n.properties.empty() && !n.additional_properties_stated) {
      Path step{path, &key, 0};
      IMAGINE_SCHEMA_FAIL(&step, nullptr, "additionalProperties", "is not a known field", &value);
      continue;
    } else {
      continue;
    }
    Path step{path, &key, 0};
    IMAGINE_SCHEMA_SUB(Check(child, value, &step, depth + 1));
  }
  return ok;
}

bool Validator::Evaluator::CheckArray(const Node& n, const json& inst, const Path* path,
                                      int depth) {
  bool ok = true;
  const auto& array = *inst.get_ptr<const json::array_t*>();
  if (array.size() < n.min_items) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "minItems",
                        "must have at least " + std::to_string(n.min_items) + (n.min_items == 1 ? " item" : " items"), &inst);
  }
  if (array.size() > n.max_items) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "maxItems",
                        "must have at most " + std::to_string(n.max_items) + (n.max_items == 1 ? " item" : " items"), &inst);
  }
  if (n.items >= 0) {
    for (size_t i = 0; i < array.size(); ++i) {
      Path step{path, nullptr, i};
      IMAGINE_SCHEMA_SUB(Check(n.items, array[i], &step, depth + 1));
    }
  } else if (n.tuple) {
    for (size_t i = 0; i < array.size(); ++i) {
      Path step{path, nullptr, i};
      if (i < n.tuple_items.size()) {
        IMAGINE_SCHEMA_SUB(Check(n.tuple_items[i], array[i], &step, depth + 1));
      } else if (n.additional_items < 0) {
        break;
      } else if (nodes_[n.additional_items].kind == Node::Kind::kNever) {
        IMAGINE_SCHEMA_FAIL(&step, nullptr, "additionalItems", "is not allowed", &array[i]);
      } else {
        IMAGINE_SCHEMA_SUB(Check(n.additional_items, array[i], &step, depth + 1));
      }
    }
  }
  return ok;
}

bool Validator::Evaluator::CheckString(const Node& n, const json& inst, const Path* path) {
  bool ok = true;
  const std::string& s = *inst.get_ptr<const std::string*>();
  // A UTF-8 string has between size/4 and size code points: count only when that matters.
  const bool may_be_short = n.min_length > 0 && s.size() / 4 < n.min_length;
  const bool may_be_long = n.max_length != kNoLimit && s.size() > n.max_length;
  bool length_ok = true;
  if (may_be_short || may_be_long) {
    const size_t length = CountCodePoints(s);
    if (length < n.min_length) {
      length_ok = false;
      IMAGINE_SCHEMA_FAIL(path, nullptr, "minLength",
                          "must be at least " + std::to_string(n.min_length) +
                              " characters long",
                          &inst);
    }
    if (length > n.max_length) {
      length_ok = false;
      IMAGINE_SCHEMA_FAIL(path, nullptr, "maxLength",
                          "must be at most " + std::to_string(n.max_length) + " characters long",
                          &inst);
    }
  }
  // A string that already broke a length limit is not fed to the regex matcher.
  if (n.pattern != nullptr && length_ok) {
    bool matched = false;
    bool threw = false;
    const Node::Pattern* pattern = n.CompiledPattern();
    if (pattern == nullptr) {
      threw = true;  // a deferred pattern that does not compile (see CompileOptions::defer_patterns)
    } else if (!pattern->bounded && s.size() > kMaxBacktrackingInput) {
      threw = true;  // would risk a stack overflow in the backtracking matcher
    } else {
      try {
        matched = std::regex_search(s, *pattern->regex);
      } catch (const std::exception&) {  // error_complexity / error_stack
        threw = true;
      }
    }
    if (threw) {
      IMAGINE_SCHEMA_FAIL(path, nullptr, "pattern",
                          "could not be matched against pattern " + n.pattern_source, &inst);
    } else if (!matched) {
      IMAGINE_SCHEMA_FAIL(path, nullptr, "pattern", "must match pattern " + n.pattern_source,
                          &inst);
    }
  }
  if (n.format_uri && !IsAbsoluteUri(s)) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "format", "must be a valid URI", &inst);
  }
  return ok;
}

bool Validator::Evaluator::CheckBound(const Node::Bound& b, bool lower, const json& inst,
                                      const Path* path) {
  bool ok = true;
  const int c = CompareNumbers(inst, b.value);
  bool pass;
  if (lower) {
    pass = b.exclusive ? c == 1 : (c == 0 || c == 1);
  } else {
    pass = b.exclusive ? c == -1 : (c == 0 || c == -1);
  }
  if (!pass) {
    std::string message = lower ? "must be greater than " : "must be less than ";
    if (!b.exclusive) message += "or equal to ";
    message += DumpCompact(b.value);
    IMAGINE_SCHEMA_FAIL(path, nullptr, b.keyword, std::move(message), &inst);
  }
  return ok;
}

bool Validator::Evaluator::CheckNumber(const Node& n, const json& inst, const Path* path) {
  bool ok = true;
  if (n.minimum.present) IMAGINE_SCHEMA_SUB(CheckBound(n.minimum, true, inst, path));
  if (n.exclusive_minimum.present) {
    IMAGINE_SCHEMA_SUB(CheckBound(n.exclusive_minimum, true, inst, path));
  }
  if (n.maximum.present) IMAGINE_SCHEMA_SUB(CheckBound(n.maximum, false, inst, path));
  if (n.exclusive_maximum.present) {
    IMAGINE_SCHEMA_SUB(CheckBound(n.exclusive_maximum, false, inst, path));
  }
  return ok;
}

bool Validator::Evaluator::CheckCombinators(const Node& n, const json& inst, const Path* path,
                                            int depth) {
  bool ok = true;
  for (int child : n.all_of) IMAGINE_SCHEMA_SUB(Check(child, inst, path, depth));
  // Branches of anyOf/oneOf/not are evaluated silently: only the combinator reports.
  Evaluator silent(nodes_, nullptr, false);
  if (!n.any_of.empty()) {
    bool any = false;
    for (int child : n.any_of) {
      if (silent.Check(child, inst, path, depth)) {
        any = true;
        break;
      }
    }
    if (!any) {
      IMAGINE_SCHEMA_FAIL(path, nullptr, "anyOf", "must match at least one schema in anyOf",
                          &inst);
    }
  }
  if (!n.one_of.empty()) {
    int matches = 0;
    for (int child : n.one_of) {
      if (silent.Check(child, inst, path, depth) && ++matches > 1) break;
    }
    if (matches != 1) {
      IMAGINE_SCHEMA_FAIL(path, nullptr, "oneOf", "must match exactly one schema in oneOf",
                          &inst);
    }
  }
  if (n.not_schema >= 0 && silent.Check(n.not_schema, inst, path, depth)) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "not", "must not match the schema in not", &inst);
  }
  return ok;
}

#undef IMAGINE_SCHEMA_FAIL
#undef IMAGINE_SCHEMA_SUB

void Validator::Evaluator::ApplyDefaults(int node, json& inst, int depth) const {
  const Node& n = nodes_[node];
  if (!n.may_apply_defaults || depth > kMaxInstanceDepth) return;
  if (inst.is_object()) {
    auto& object = *inst.get_ptr<json::object_t*>();
    for (const auto& [name, child] : n.properties) {
      auto it = object.find(name);
      if (it == object.end()) {
        if (!nodes_[child].has_default) continue;
        it = object.emplace(name, nodes_[child].default_value).first;
      }
      ApplyDefaults(child, it->second, depth + 1);
    }
    if (n.additional_properties >= 0) {
      for (auto& [name, value] : object) {
        const bool declared = std::any_of(n.properties.begin(), n.properties.end(),
                                          [&name = name](const auto& p) { return p.first == name; });
        if (!declared) ApplyDefaults(n.additional_properties, value, depth + 1);
      }
    }
  } else if (inst.is_array()) {
    auto& array = *inst.get_ptr<json::array_t*>();
    for (size_t i = 0; i < array.size(); ++i) {
      if (n.items >= 0) {
        ApplyDefaults(n.items, array[i], depth + 1);
      } else if (i < n.tuple_items.size()) {
        ApplyDefaults(n.tuple_items[i], array[i], depth + 1);
      }
    }
  }
  for (int child : n.all_of) ApplyDefaults(child, inst, depth);
}

// ------------------------------------------------------------------------------------------
// Validator::Validate

bool Validator::Validate(json& instance, std::vector<ValidationError>* errors,
                         const ValidateOptions& options) const {
  try {
    if (errors != nullptr) errors->clear();
    Evaluator evaluator(nodes_, errors, options.all_errors, options.reject_unknown_properties);
    const bool ok = evaluator.Check(root_, instance, nullptr, 0);
    if (ok && options.apply_defaults) evaluator.ApplyDefaults(root_, instance, 0);
    return ok;
  } catch (const std::exception& e) {  // only std::bad_alloc is possible here
    if (errors != nullptr) {
      errors->push_back({"", "internal", std::string("validation failed: ") + e.what(), ""});
    }
    return false;
  }
}

bool Validator::Validate(const json& instance, std::vector<ValidationError>* errors) const {
  try {
    if (errors != nullptr) errors->clear();
    Evaluator evaluator(nodes_, errors, false);
    return evaluator.Check(root_, instance, nullptr, 0);
  } catch (const std::exception& e) {
    if (errors != nullptr) {
      errors->push_back({"", "internal", std::string("validation failed: ") + e.what(), ""});
    }
    return false;
  }
}

}  // namespace imagine::spec

namespace imagine {

Status ValidateAgainst(const spec::Validator& schema, nlohmann::json& body, bool reject_unknown_fields) {
  std::vector<spec::ValidationError> errors;
  spec::ValidateOptions options;
  options.apply_defaults = true;
  options.reject_unknown_properties = reject_unknown_fields;
  if (schema.Validate(body, &errors, options)) return Status::Ok();
  if (errors.empty()) return InvalidArgument("request body is invalid", Violation{"", "schema", ""});
  const spec::ValidationError& e = errors.front();
  return InvalidArgument(e.message, Violation{e.pointer, e.keyword, e.value});
}

}  // namespace imagine
