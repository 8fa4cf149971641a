// JSON -> tokens through nlohmann's SAX parser (no DOM).
#include <nlohmann/json.hpp>

#include "protocol/tokens.h"

namespace vigil::protocol::internal {
namespace {

using json = nlohmann::json;

// The SAX handler. sax_parse is a template over the handler type, so these calls are direct.
class JsonSax {
 public:
  explicit JsonSax(TokenStream& out) : out_(out) {}

  bool null() { return Push(TokenType::kNull, 0); }
  bool boolean(bool v) { return Push(TokenType::kBool, v ? 1 : 0); }
  bool number_integer(json::number_integer_t v) {
    // Negative values only (nlohmann reports non-negative ones as unsigned).
    return v < 0 ? Push(TokenType::kNegInt, ~static_cast<uint64_t>(v))
                 : Push(TokenType::kUint, static_cast<uint64_t>(v));
  }
  bool number_unsigned(json::number_unsigned_t v) { return Push(TokenType::kUint, v); }
  bool number_float(json::number_float_t v, const json::string_t& /*text*/) {
    if (!Room()) return false;
    Token t{TokenType::kDouble, 0, 0, {0}};
    t.d = v;
    out_.tokens.push_back(t);
    return Count();
  }
  bool string(json::string_t& v) { return PushString(v); }
  bool key(json::string_t& v) { return PushString(v); }
  bool binary(json::binary_t& /*v*/) { return Fail("binary values are not JSON"); }

  bool start_object(std::size_t /*n*/) { return Open(TokenType::kMap); }
  bool end_object() { return Close(); }
  bool start_array(std::size_t /*n*/) { return Open(TokenType::kArray); }
  bool end_array() { return Close(); }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    if (message_.empty()) {
      std::string_view what = ex.what();
      // "[json.exception.parse_error.101] parse error at ..." -> "parse error at ...".
      if (auto p = what.find("] "); p != std::string_view::npos) what.remove_prefix(p + 2);
      message_ = "Malformed JSON request body: ";
      message_ += what;
    }
    return false;
  }

  const std::string& message() const { return message_; }

 private:
  struct Frame {
    uint32_t token;
    uint32_t count;  // elements (arrays) or keys (objects)
  };

  bool Room() {
    if (out_.tokens.size() >= kMaxTokens) return Fail("too many values in the request body");
    return true;
  }
  // One more element/key in the innermost open container.
  bool Count() {
    if (!stack_.empty()) ++stack_.back().count;
    return true;
  }
  bool Push(TokenType type, uint64_t u) {
    if (!Room()) return false;
    Token t{type, 0, 0, {u}};
    out_.tokens.push_back(t);
    return Count();
  }
  bool PushString(const json::string_t& v) {
    if (!Room()) return false;
    Token t{TokenType::kString, kFlagInArena, static_cast<uint32_t>(v.size()), {0}};
    t.offset = out_.arena.size();
    out_.arena.append(v);
    out_.tokens.push_back(t);
    return Count();
  }
  bool Open(TokenType type) {
    if (stack_.size() >= kMaxDepth) return Fail("the request body is nested too deeply");
    if (!Room()) return false;
    stack_.push_back({static_cast<uint32_t>(out_.tokens.size()), 0});
    Token t{type, 0, 0, {0}};
    out_.tokens.push_back(t);
    return true;
  }
  bool Close() {
    Frame f = stack_.back();
    stack_.pop_back();
    Token& t = out_.tokens[f.token];
    // Objects counted keys and values; one pair per key.
    t.len = t.type == TokenType::kMap ? f.count / 2 : f.count;
    t.end = out_.tokens.size();
    return Count();
  }
  bool Fail(const char* why) {
    if (message_.empty()) message_ = std::string("Malformed JSON request body: ") + why;
    return false;
  }

  TokenStream& out_;
  std::vector<Frame> stack_;
  std::string message_;
};

}  // namespace

Status ReadJson(std::string_view body, TokenStream& out) {
  out.Clear();
  out.input = body;
  out.tokens.reserve(body.size() / 6 + 8);
  out.arena.reserve(body.size() / 2 + 16);
  JsonSax sax(out);
  bool ok = false;
  try {
    ok = json::sax_parse(body.data(), body.data() + body.size(), &sax,
                         nlohmann::detail::input_format_t::json,
                         /*strict=*/true);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kSerializationException,
                     std::string("Malformed JSON request body: ") + e.what());
  }
  if (!ok) {
    return MakeError(
        ErrorCode::kSerializationException,
        sax.message().empty() ? std::string("Malformed JSON request body") : sax.message());
  }
  return OkStatus();
}

}  // namespace vigil::protocol::internal
