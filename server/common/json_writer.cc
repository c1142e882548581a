#include "common/json_writer.h"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "common/text.h"

namespace imagine {

void JsonWriter::BeforeValue() {
  if (need_comma_) out_->push_back(',');
  need_comma_ = true;
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  out_->push_back(bracket);
  need_comma_ = false;
}

void JsonWriter::Close(char bracket) {
  out_->push_back(bracket);
  need_comma_ = true;
}

void JsonWriter::Key(std::string_view key) {
  String(key);
  out_->push_back(':');
  need_comma_ = false;
}

void JsonWriter::String(std::string_view text) {
  BeforeValue();
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {  // not ASCII: nlohmann checks the UTF-8 and replaces what is invalid
      out_->append(nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      return;
    }
  }
  AppendJsonString(out_, text);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_->append(buf, end);
}

void JsonWriter::Number(double value) {
  if (std::isfinite(value) && std::floor(value) == value && std::fabs(value) < 9e15) {
    Int(static_cast<int64_t>(value));
    return;
  }
  BeforeValue();
  out_->append(nlohmann::json(value).dump());
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_->append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_->append(json);
}

}  // namespace imagine
