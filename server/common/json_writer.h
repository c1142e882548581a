// JsonWriter: appends one compact JSON value to a string, byte for byte as nlohmann's
// dump(-1, ' ', false, error_handler_t::replace) writes the same ordered_json tree, without
// building the tree. For the answers made on every request (a task object is ~15 nodes,
// each an allocation, then a walk to dump them: 8 % of the server's CPU under creates and
// queries; issue 23). The caller writes keys in the order the tree would hold them.
// Usage: w.BeginObject(); w.Key("id"); w.String(id); w.EndObject();
#ifndef IMAGINE_COMMON_JSON_WRITER_H_
#define IMAGINE_COMMON_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace imagine {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // An object member's name; exactly one value follows.
  void Key(std::string_view key);
  // A string: escaped as nlohmann does; invalid UTF-8 replaced by U+FFFD as its replace
  // handler does.
  void String(std::string_view text);
  void Int(int64_t value);
  // As JsonNumber (common/json_number.h): a whole number below 9e15 as an integer, else as
  // nlohmann writes a double (non-finite as null).
  void Number(double value);
  void Bool(bool value);
  void Null();
  // A value already written as compact JSON.
  void Raw(std::string_view json);

 private:
  void Open(char bracket);
  void Close(char bracket);
  void BeforeValue();

  std::string* out_;
  bool need_comma_ = false;  // a value was just completed inside the current container
};

}  // namespace imagine

#endif  // IMAGINE_COMMON_JSON_WRITER_H_
