#include "providers/common/id_format.h"

namespace imagine {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";

bool IsHexChar(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool IsAlnumChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsDigitChar(char c) { return c >= '0' && c <= '9'; }

}  // namespace

StatusOr<IdFormat> IdFormat::Parse(std::string_view pattern) {
  IdFormat f;
  size_t i = 0;
  while (i < pattern.size()) {
    const size_t open = pattern.find('{', i);
    if (open != i) {
      const size_t end = open == std::string_view::npos ? pattern.size() : open;
      f.pieces_.push_back(Piece{Piece::Kind::kLiteral, std::string(pattern.substr(i, end - i)), 0});
      i = end;
      continue;
    }
    const size_t close = pattern.find('}', open);
    if (close == std::string_view::npos) return InvalidArgument("unterminated '{' in task id pattern");
    const std::string_view name = pattern.substr(open + 1, close - open - 1);
    i = close + 1;
    if (name == "unix_seconds") {
      f.pieces_.push_back(Piece{Piece::Kind::kUnixSeconds, "", 0});
      continue;
    }
    const size_t colon = name.find(':');
    const std::string_view kind = name.substr(0, colon);
    size_t count = 0;
    for (char c : colon == std::string_view::npos ? std::string_view() : name.substr(colon + 1)) {
      if (!IsDigitChar(c) || count > 1000) return InvalidArgument("bad count in {" + std::string(name) + "}");
      count = count * 10 + static_cast<size_t>(c - '0');
    }
    if (count == 0 || count > 1000) return InvalidArgument("{" + std::string(name) + "} needs a count from 1 to 1000");
    if (kind == "hex") {
      f.pieces_.push_back(Piece{Piece::Kind::kHex, "", count});
    } else if (kind == "alnum") {
      f.pieces_.push_back(Piece{Piece::Kind::kAlnum, "", count});
    } else {
      return InvalidArgument("unknown placeholder {" + std::string(name) + "} (known: hex:N, alnum:N, unix_seconds)");
    }
  }
  if (f.pieces_.empty()) return InvalidArgument("the task id pattern is empty");
  return f;
}

std::string IdFormat::Make(Random& random, int64_t now_ms) const {
  std::string id;
  for (const Piece& p : pieces_) {
    switch (p.kind) {
      case Piece::Kind::kLiteral: id += p.text; break;
      case Piece::Kind::kHex: id += random.Chars(p.count, kHex, 16); break;
      case Piece::Kind::kAlnum: id += random.Chars(p.count, kAlnum, 36); break;
      case Piece::Kind::kUnixSeconds: id += std::to_string(now_ms / 1000); break;
    }
  }
  return id;
}

bool IdFormat::Matches(std::string_view id) const {
  size_t at = 0;
  for (size_t k = 0; k < pieces_.size(); ++k) {
    const Piece& p = pieces_[k];
    switch (p.kind) {
      case Piece::Kind::kLiteral:
        if (id.substr(at, p.text.size()) != p.text) return false;
        at += p.text.size();
        break;
      case Piece::Kind::kHex:
      case Piece::Kind::kAlnum: {
        if (id.size() - at < p.count) return false;
        for (size_t j = 0; j < p.count; ++j) {
          const char c = id[at + j];
          if (!(p.kind == Piece::Kind::kHex ? IsHexChar(c) : IsAlnumChar(c))) return false;
        }
        at += p.count;
        break;
      }
      case Piece::Kind::kUnixSeconds: {
        const size_t start = at;
        while (at < id.size() && IsDigitChar(id[at])) ++at;
        if (at == start) return false;
        break;
      }
    }
  }
  return at == id.size();
}

}  // namespace imagine
