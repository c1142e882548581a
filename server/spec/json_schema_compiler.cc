// The JSON Schema compiler: turns a schema (with local $refs) into Validator's node table
// once, refusing unsupported keywords, malformed values and $ref cycles. See json_schema.h.
#include <algorithm>
#include <exception>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "spec/internal/schema_node.h"

namespace imagine::spec {

using namespace internal;  // NOLINT: this file implements the internals

namespace {

// Keys are compared as string_views, which compare sizes first: comparing a std::string with a
// const char* measures the literal and compares bytes each time, and every key of a schema
// went through ~40 of them (~15 % of compiling the config schema at start-up).

// Keys that carry no validation meaning; accepted anywhere a keyword may appear.
constexpr std::string_view kAnnotationKeywords[] = {
    "$schema", "$id",      "id",        "title",        "description", "example",
    "examples", "deprecated", "readOnly", "writeOnly", "discriminator", "xml",
    "externalDocs", "$comment",
};

// Every keyword Compile understands (validation keywords and annotations).
constexpr std::string_view kValidationKeywords[] = {
    "type",          "enum",          "const",     "required",  "properties",
    "additionalProperties", "items",  "additionalItems", "minItems", "maxItems",
    "minLength",     "maxLength",     "pattern",   "minimum",   "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "format", "allOf",  "anyOf",
    "oneOf",         "not",           "$ref",      "nullable",  "default",
    "definitions",
};

bool IsAnnotation(std::string_view key) {
  if (key.size() >= 2 && key[0] == 'x' && key[1] == '-') return true;
  for (std::string_view k : kAnnotationKeywords) {
    if (key == k) return true;
  }
  return false;
}

bool IsKnownKeyword(std::string_view key) {
  if (IsAnnotation(key)) return true;
  for (std::string_view k : kValidationKeywords) {
    if (key == k) return true;
  }
  return false;
}

// Reads a non-negative integer keyword value (1.0 accepted).
bool ReadCount(const json& v, size_t* out) {
  if (v.is_number_unsigned()) {
    *out = static_cast<size_t>(v.get<json::number_unsigned_t>());
    return true;
  }
  if (v.is_number_integer()) {
    const auto i = v.get<json::number_integer_t>();
    if (i < 0) return false;
    *out = static_cast<size_t>(i);
    return true;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d < 0 || std::floor(d) != d || d > 9.0e18) return false;
    *out = static_cast<size_t>(d);
    return true;
  }
  return false;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Compiler

class Validator::Compiler {
 public:
  Compiler(const json& root, std::vector<Node>& nodes, const CompileOptions& options)
      : root_(root), nodes_(nodes), options_(options) {}

  // Compiles the schema `s` found at schema pointer `ptr`; returns its node index.
  StatusOr<int> CompileSchema(const json& s, const std::string& ptr);
  // Whole-graph checks and derived flags once every node exists.
  Status Finish();

 private:
  Status CompileKeywords(const json& s, const std::string& ptr, Node& n);
  Status CompileSchemaList(const json& v, const std::string& ptr, const char* keyword,
                           std::vector<int>* out);
  Status ResolveRef(const std::string& ref, const std::string& ptr, const json** target,
                    std::string* target_ptr) const;
  Status ReadBound(const json& v, const std::string& ptr, const char* keyword,
                   Node::Bound* bound) const;
  bool InPlaceCycleFrom(int node, std::vector<uint8_t>& color) const;

  static Status Malformed(const char* keyword, const std::string& ptr, const std::string& why) {
    return InvalidArgument("malformed keyword '" + std::string(keyword) + "' at " + Where(ptr) +
                           ": " + why);
  }

  const json& root_;
  std::vector<Node>& nodes_;
  const CompileOptions options_;
  std::vector<std::string> node_pointers_;         // schema pointer of each node, for messages
  std::unordered_map<const json*, int> compiled_;  // schema json address -> node index
  std::vector<const json*> ref_chain_;             // $ref objects being resolved right now
};

StatusOr<int> Validator::Compiler::CompileSchema(const json& s, const std::string& ptr) {
  if (auto it = compiled_.find(&s); it != compiled_.end()) return it->second;

  if (s.is_boolean()) {
    const int index = static_cast<int>(nodes_.size());
    nodes_.emplace_back();
    nodes_.back().kind = s.get<bool>() ? Node::Kind::kAny : Node::Kind::kNever;
    node_pointers_.push_back(ptr);
    compiled_.emplace(&s, index);
    return index;
  }
  if (!s.is_object()) {
    return InvalidArgument("schema at " + Where(ptr) + " must be an object or a boolean");
  }

  if (auto ref = s.find("$ref"); ref != s.end()) {
    // Siblings of $ref are ignored (draft4/7, OpenAPI 3.0) but must still be known keywords.
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (!IsKnownKeyword(it.key())) {
        return InvalidArgument("unsupported keyword '" + it.key() + "' at " + Where(ptr));
      }
    }
    if (!ref->is_string()) return Malformed("$ref", ptr, "must be a string");
    if (std::find(ref_chain_.begin(), ref_chain_.end(), &s) != ref_chain_.end()) {
      return InvalidArgument("circular $ref '" + ref->get<std::string>() + "' at " + Where(ptr) +
                             " never reaches a schema");
    }
    const json* target = nullptr;
    std::string target_ptr;
    IMAGINE_RETURN_IF_ERROR(ResolveRef(ref->get<std::string>(), ptr, &target, &target_ptr));
    ref_chain_.push_back(&s);
    StatusOr<int> index = CompileSchema(*target, target_ptr);
    ref_chain_.pop_back();
    if (!index.ok()) return index.status();
    compiled_.emplace(&s, *index);
    return *index;
  }

  // Allocate first so recursive refs back to this schema find its index.
  const int index = static_cast<int>(nodes_.size());
  nodes_.emplace_back();
  node_pointers_.push_back(ptr);
  compiled_.emplace(&s, index);
  // Refs resolved below start from a real schema node, so an earlier ref chain is no cycle.
  std::vector<const json*> saved_chain;
  saved_chain.swap(ref_chain_);
  Node n;
  Status status = CompileKeywords(s, ptr, n);
  ref_chain_.swap(saved_chain);
  IMAGINE_RETURN_IF_ERROR(status);
  nodes_[index] = std::move(n);
  return index;
}

Status Validator::Compiler::CompileSchemaList(const json& v, const std::string& ptr,
                                              const char* keyword, std::vector<int>* out) {
  if (!v.is_array() || v.empty()) return Malformed(keyword, ptr, "must be a non-empty array");
  const std::string base = ChildPointer(ptr, keyword);
  for (size_t i = 0; i < v.size(); ++i) {
    StatusOr<int> child = CompileSchema(v[i], ChildPointer(base, i));
    if (!child.ok()) return child.status();
    out->push_back(*child);
  }
  return Status::Ok();
}

Status Validator::Compiler::ReadBound(const json& v, const std::string& ptr, const char* keyword,
                                      Node::Bound* bound) const {
  if (!v.is_number()) return Malformed(keyword, ptr, "must be a number");
  bound->present = true;
  bound->keyword = keyword;
  bound->value = v;
  return Status::Ok();
}

Status Validator::Compiler::CompileKeywords(const json& s, const std::string& ptr, Node& n) {
  bool saw_validation_keyword = false;
  std::optional<bool> exclusive_min_flag, exclusive_max_flag;  // draft4 boolean form
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string& key_text = it.key();
    const std::string_view key = key_text;
    const json& v = it.value();
    if (IsAnnotation(key)) continue;

    if (key == "type") {
      std::vector<std::string> names;
      if (v.is_string()) {
        names.push_back(v.get<std::string>());
      } else if (v.is_array() && !v.empty()) {
        for (const json& t : v) {
          if (!t.is_string()) {
            return Malformed("type", ptr, "must be a type name or an array of type names");
          }
          names.push_back(t.get<std::string>());
        }
      } else {
        return Malformed("type", ptr, "must be a type name or a non-empty array of type names");
      }
      for (const std::string& name : names) {
        uint8_t bit = 0;
        if (!TypeBitFor(name, &bit)) return Malformed("type", ptr, "unknown type '" + name + "'");
        n.types |= bit;
      }
      n.type_names = std::move(names);
    } else if (key == "enum") {
      if (!v.is_array()) return Malformed("enum", ptr, "must be an array");
      n.has_enum = true;
      n.enum_values.assign(v.begin(), v.end());
    } else if (key == "const") {
      n.has_const = true;
      n.const_value = v;
    } else if (key == "required") {
      if (!v.is_array()) return Malformed("required", ptr, "must be an array of strings");
      for (const json& name : v) {
        if (!name.is_string()) return Malformed("required", ptr, "must be an array of strings");
        n.required.push_back(name.get<std::string>());
      }
      n.has_object_checks = n.has_object_checks || !n.required.empty();
    } else if (key == "properties") {
      if (!v.is_object()) return Malformed("properties", ptr, "must be an object");
      const std::string base = ChildPointer(ptr, "properties");
      for (auto p = v.begin(); p != v.end(); ++p) {
        StatusOr<int> child = CompileSchema(p.value(), ChildPointer(base, p.key()));
        if (!child.ok()) return child.status();
        n.properties.emplace_back(p.key(), *child);
      }
      // nlohmann objects iterate in std::map order already; sort anyway to pin the invariant
      // the evaluator's merge walk relies on.
      std::sort(n.properties.begin(), n.properties.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      n.has_object_checks = n.has_object_checks || !n.properties.empty();
    } else if (key == "additionalProperties") {
      if (!v.is_boolean() && !v.is_object()) {
        return Malformed("additionalProperties", ptr, "must be a boolean or a schema");
      }
      StatusOr<int> child = CompileSchema(v, ChildPointer(ptr, key_text));
      if (!child.ok()) return child.status();
      n.additional_properties_stated = true;
      if (nodes_[*child].kind != Node::Kind::kAny) {
        n.additional_properties = *child;
        n.has_object_checks = true;
      }
    } else if (key == "items") {
      if (v.is_array()) {
        n.tuple = true;
        const std::string base = ChildPointer(ptr, "items");
        for (size_t i = 0; i < v.size(); ++i) {
          StatusOr<int> child = CompileSchema(v[i], ChildPointer(base, i));
          if (!child.ok()) return child.status();
          n.tuple_items.push_back(*child);
        }
      } else if (v.is_object() || v.is_boolean()) {
        StatusOr<int> child = CompileSchema(v, ChildPointer(ptr, key_text));
        if (!child.ok()) return child.status();
        n.items = *child;
      } else {
        return Malformed("items", ptr, "must be a schema or an array of schemas");
      }
      n.has_array_checks = true;
    } else if (key == "additionalItems") {
      if (!v.is_boolean() && !v.is_object()) {
        return Malformed("additionalItems", ptr, "must be a boolean or a schema");
      }
      StatusOr<int> child = CompileSchema(v, ChildPointer(ptr, key_text));
      if (!child.ok()) return child.status();
      if (nodes_[*child].kind != Node::Kind::kAny) n.additional_items = *child;
    } else if (key == "minItems" || key == "maxItems" || key == "minLength" ||
               key == "maxLength") {
      size_t count = 0;
      if (!ReadCount(v, &count)) {
        return Malformed(key_text.c_str(), ptr, "must be a non-negative integer");
      }
      if (key == "minItems") n.min_items = count;
      if (key == "maxItems") n.max_items = count;
      if (key == "minLength") n.min_length = count;
      if (key == "maxLength") n.max_length = count;
    } else if (key == "pattern") {
      if (!v.is_string()) return Malformed("pattern", ptr, "must be a string");
      n.pattern_source = v.get<std::string>();
      n.pattern = std::make_unique<Node::Pattern>();
      n.pattern_deferred = options_.defer_patterns;
      if (!n.pattern_deferred && !Node::CompilePattern(n.pattern_source, n.pattern.get())) {
        return InvalidArgument("invalid regex in 'pattern' at " + Where(ptr) + ": " + n.pattern->error);
      }
      n.has_string_checks = true;
    } else if (key == "format") {
      if (!v.is_string()) return Malformed("format", ptr, "must be a string");
      if (v.get_ref<const std::string&>() == "uri") {
        n.format_uri = true;
        n.has_string_checks = true;
      }
    } else if (key == "minimum") {
      IMAGINE_RETURN_IF_ERROR(ReadBound(v, ptr, "minimum", &n.minimum));
      n.has_number_checks = true;
    } else if (key == "maximum") {
      IMAGINE_RETURN_IF_ERROR(ReadBound(v, ptr, "maximum", &n.maximum));
      n.has_number_checks = true;
    } else if (key == "exclusiveMinimum" || key == "exclusiveMaximum") {
      const bool is_min = key == "exclusiveMinimum";
      if (v.is_boolean()) {  // draft4 / OpenAPI 3.0: modifies minimum/maximum
        (is_min ? exclusive_min_flag : exclusive_max_flag) = v.get<bool>();
      } else {  // draft6+ / OpenAPI 3.1: a bound of its own
        Node::Bound* bound = is_min ? &n.exclusive_minimum : &n.exclusive_maximum;
        if (!v.is_number()) return Malformed(key_text.c_str(), ptr, "must be a number or a boolean");
        IMAGINE_RETURN_IF_ERROR(ReadBound(v, ptr, is_min ? "exclusiveMinimum" : "exclusiveMaximum",
                                          bound));
        bound->exclusive = true;
        n.has_number_checks = true;
      }
    } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
      std::vector<int>* list = key == "allOf" ? &n.all_of : key == "anyOf" ? &n.any_of : &n.one_of;
      IMAGINE_RETURN_IF_ERROR(CompileSchemaList(v, ptr, key == "allOf"   ? "allOf"
                                                        : key == "anyOf" ? "anyOf"
                                                                         : "oneOf",
                                                list));
      n.has_combinators = true;
    } else if (key == "not") {
      if (!v.is_boolean() && !v.is_object()) return Malformed("not", ptr, "must be a schema");
      StatusOr<int> child = CompileSchema(v, ChildPointer(ptr, key_text));
      if (!child.ok()) return child.status();
      n.not_schema = *child;
      n.has_combinators = true;
    } else if (key == "nullable") {
      if (!v.is_boolean()) return Malformed("nullable", ptr, "must be a boolean");
      n.nullable = v.get<bool>();
    } else if (key == "default") {
      n.has_default = true;
      n.default_value = v;
      continue;  // an annotation for validation purposes
    } else if (key == "definitions") {
      if (!v.is_object()) return Malformed("definitions", ptr, "must be an object");
      // Compiled eagerly so an unsupported keyword fails at load even when unreferenced.
      const std::string base = ChildPointer(ptr, "definitions");
      for (auto d = v.begin(); d != v.end(); ++d) {
        StatusOr<int> child = CompileSchema(d.value(), ChildPointer(base, d.key()));
        if (!child.ok()) return child.status();
      }
      continue;
    } else {
      return InvalidArgument("unsupported keyword '" + key_text + "' at " + Where(ptr));
    }
    saw_validation_keyword = true;
  }

  if (exclusive_min_flag.value_or(false)) {
    if (!n.minimum.present) return Malformed("exclusiveMinimum", ptr, "true requires minimum");
    n.minimum.exclusive = true;
    n.minimum.keyword = "exclusiveMinimum";
  }
  if (exclusive_max_flag.value_or(false)) {
    if (!n.maximum.present) return Malformed("exclusiveMaximum", ptr, "true requires maximum");
    n.maximum.exclusive = true;
    n.maximum.keyword = "exclusiveMaximum";
  }
  if (n.min_items > 0 || n.max_items != kNoLimit) n.has_array_checks = true;
  if (n.min_length > 0 || n.max_length != kNoLimit) n.has_string_checks = true;
  if (!saw_validation_keyword && !n.nullable && !n.has_default) n.kind = Node::Kind::kAny;
  return Status::Ok();
}

Status Validator::Compiler::ResolveRef(const std::string& ref, const std::string& ptr,
                                       const json** target, std::string* target_ptr) const {
  if (ref.empty() || ref[0] != '#') {
    return InvalidArgument("unsupported $ref '" + ref + "' at " + Where(ptr) +
                           ": only local refs (\"#/...\") are supported");
  }
  // The fragment is URI-encoded (RFC 6901 section 6): %-decode, then read a JSON pointer.
  std::string pointer;
  for (size_t i = 1; i < ref.size(); ++i) {
    if (ref[i] == '%') {
      const int hi = i + 2 < ref.size() ? HexValue(ref[i + 1]) : -1;
      const int lo = i + 2 < ref.size() ? HexValue(ref[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return InvalidArgument("malformed %-escape in $ref '" + ref + "' at " + Where(ptr));
      }
      pointer.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      pointer.push_back(ref[i]);
    }
  }
  if (!pointer.empty() && pointer[0] != '/') {
    return InvalidArgument("unsupported $ref '" + ref + "' at " + Where(ptr) +
                           ": only JSON-pointer fragments are supported");
  }
  const json* cur = &root_;
  size_t pos = 0;
  while (pos < pointer.size()) {
    const size_t next = pointer.find('/', pos + 1);
    const std::string raw =
        pointer.substr(pos + 1, (next == std::string::npos ? pointer.size() : next) - pos - 1);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '~') {
        token.push_back(raw[i]);
      } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token.push_back(raw[i + 1] == '0' ? '~' : '/');
        ++i;
      } else {
        return InvalidArgument("malformed JSON pointer in $ref '" + ref + "' at " + Where(ptr));
      }
    }
    const json* child = nullptr;
    if (cur->is_object()) {
      auto it = cur->find(token);
      if (it != cur->end()) child = &*it;
    } else if (cur->is_array() && !token.empty() &&
               std::all_of(token.begin(), token.end(), [](char c) { return IsDigit(c); }) &&
               (token.size() == 1 || token[0] != '0') && token.size() < 10) {
      const size_t index = std::stoul(token);
      if (index < cur->size()) child = &(*cur)[index];
    }
    if (child == nullptr) {
      return InvalidArgument("unresolved $ref '" + ref + "' at " + Where(ptr));
    }
    cur = child;
    if (next == std::string::npos) break;
    pos = next;
  }
  *target = cur;
  *target_ptr = pointer;
  return Status::Ok();
}

// Depth-first search over in-place edges (allOf/anyOf/oneOf/not, refs already aliased): a
// cycle there would recurse forever on one instance value.
bool Validator::Compiler::InPlaceCycleFrom(int node, std::vector<uint8_t>& color) const {
  color[node] = 1;
  const Node& n = nodes_[node];
  auto visit = [&](int child) {
    if (child < 0) return false;
    if (color[child] == 1) return true;
    return color[child] == 0 && InPlaceCycleFrom(child, color);
  };
  for (const auto* list : {&n.all_of, &n.any_of, &n.one_of}) {
    for (int child : *list) {
      if (visit(child)) return true;
    }
  }
  if (visit(n.not_schema)) return true;
  color[node] = 2;
  return false;
}

Status Validator::Compiler::Finish() {
  std::vector<uint8_t> color(nodes_.size(), 0);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (color[i] == 0 && InPlaceCycleFrom(static_cast<int>(i), color)) {
      return InvalidArgument("schema at " + Where(node_pointers_[i]) +
                             " refers back to itself through allOf/anyOf/oneOf/not without "
                             "descending into the instance");
    }
  }
  // may_apply_defaults: a fixed point over the graph (recursive schemas make it cyclic).
  bool changed = true;
  while (changed) {
    changed = false;
    for (Node& n : nodes_) {
      if (n.may_apply_defaults || n.kind != Node::Kind::kSchema) continue;
      bool may = false;
      auto walk = [&](int child) {
        if (child >= 0 && nodes_[child].may_apply_defaults) may = true;
      };
      for (const auto& [name, child] : n.properties) {
        if (nodes_[child].has_default) may = true;
        walk(child);
      }
      walk(n.additional_properties);
      walk(n.items);
      for (int child : n.tuple_items) walk(child);
      for (int child : n.all_of) walk(child);
      if (may) {
        n.may_apply_defaults = true;
        changed = true;
      }
    }
  }
  return Status::Ok();
}

// ------------------------------------------------------------------------------------------
// Validator::Compile

Validator::Validator() = default;
Validator::~Validator() = default;

namespace {

// Finds the JSON pointer of the value at address `target` inside `node`.
bool FindPointer(const json& node, const json* target, std::string& pointer) {
  if (&node == target) return true;
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      const size_t mark = pointer.size();
      AppendPointerToken(pointer, it.key());
      if (FindPointer(it.value(), target, pointer)) return true;
      pointer.resize(mark);
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      const size_t mark = pointer.size();
      pointer += "/" + std::to_string(i);
      if (FindPointer(node[i], target, pointer)) return true;
      pointer.resize(mark);
    }
  }
  return false;
}

}  // namespace

bool Validator::Node::CompilePattern(const std::string& source, Pattern* pattern) {
  try {
    pattern->regex = std::make_unique<std::regex>(source, kBoundedPatternSyntax);
    pattern->bounded = true;
    return true;
  } catch (const std::regex_error&) {
    // Back-references need the backtracking matcher (or the pattern is invalid: the retry
    // reports it).
    try {
      pattern->regex = std::make_unique<std::regex>(source, std::regex::ECMAScript);
      pattern->bounded = false;
      return true;
    } catch (const std::regex_error& e) {
      pattern->error = e.what();
      return false;
    }
  }
}

const Validator::Node::Pattern* Validator::Node::CompiledPattern() const {
  if (pattern == nullptr) return nullptr;
  if (pattern_deferred) std::call_once(pattern->once, [this] { CompilePattern(pattern_source, pattern.get()); });
  return pattern->regex != nullptr ? pattern.get() : nullptr;
}

StatusOr<std::shared_ptr<const Validator>> Validator::Compile(const json& schema,
                                                              const json& root,
                                                              const CompileOptions& options) {
  // `schema`'s place in `root` only words errors, and finding it walks all of `root` (it was
  // the largest part of compiling a document's schemas at start-up): compile from "" first,
  // and only when that fails find the place and compile again for the message.
  auto compile = [&](const std::string& pointer) -> StatusOr<std::shared_ptr<const Validator>> {
    std::shared_ptr<Validator> validator(new Validator());
    Compiler compiler(root, validator->nodes_, options);
    StatusOr<int> index = compiler.CompileSchema(schema, pointer);
    if (!index.ok()) return index.status();
    validator->root_ = *index;
    IMAGINE_RETURN_IF_ERROR(compiler.Finish());
    return std::shared_ptr<const Validator>(std::move(validator));
  };
  try {
    auto compiled = compile("");
    if (compiled.ok() || &schema == &root) return compiled;
    std::string pointer;
    if (!FindPointer(root, &schema, pointer) || pointer.empty()) return compiled;
    return compile(pointer);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("schema compilation failed: ") + e.what());
  }
}

}  // namespace imagine::spec
