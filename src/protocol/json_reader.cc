// JSON -> tokens (docs/decisions/0030-json-reader.md).
//
// Two readers, one answer:
//  - the fast path: simdjson's DOM parser (SIMD, validates UTF-8 and the whole grammar), then one
//    linear walk over its tape that emits the token stream;
//  - the reference: nlohmann's SAX parser (no DOM), the reader vigil was built with.
// The fast path only ever *accepts*: whenever simdjson refuses a body, or the tape holds
// something the reference would treat differently (nesting deeper than kMaxDepth, more than
// kMaxTokens values), the body is read again by the reference, which then decides — so every
// error message, and every body the fast path cannot take, is exactly what nlohmann says.
// Where simdjson accepts, the tokens are the ones nlohmann would produce: integers that fit
// uint64 (non-negative) or int64 (negative) as integers, "-0" as the integer 0, everything else
// as a correctly rounded double; simdjson refuses integer literals beyond 64 bits (nlohmann reads
// them as doubles), literals beyond double range and invalid escapes, so those go to the reference.
//
// Builds with VIGIL_JSON_CROSSCHECK (the fuzz build) read every accepted body with both and abort
// on any difference, so the fuzzer checks this equivalence on every input it tries.
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "protocol/tokens.h"

namespace vigil::protocol::internal {

// Not in tokens.h on purpose: only the benchmarks and the cross-check call the two readers apart.
Status ReadJsonReference(std::string_view body, TokenStream& out);
bool ReadJsonFast(std::string_view body, TokenStream& out);

namespace {

using json = nlohmann::json;

// ---------------------------------------------------------------------------------- reference

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

// ---------------------------------------------------------------------------------- fast path

// A parser per thread, reused: it keeps its buffers (tape, string buffer and a padded copy of the
// input, about 10 bytes per input byte), and the tokens of the last body point into its string
// buffer. One that grew past kKeepParserBytes for a huge body is dropped before the next small
// body is parsed, so one large request does not pin that memory in every worker for ever.
constexpr size_t kKeepParserBytes = size_t{4} << 20;

simdjson::dom::parser& ThreadParser(size_t body_size) {
  thread_local std::unique_ptr<simdjson::dom::parser> parser;
  if (parser && parser->capacity() > kKeepParserBytes && body_size <= kKeepParserBytes) {
    parser.reset();
  }
  if (!parser) parser = std::make_unique<simdjson::dom::parser>();
  return *parser;
}

constexpr uint64_t kTapePayload = simdjson::internal::JSON_VALUE_MASK;

// Walks simdjson's tape (simdjson's doc/tape.md) and emits tokens. Strings are not copied: the
// stream's `input` is simdjson's string buffer and string tokens point into it. Returns false
// when the reference must decide instead (too deep, too many values).
bool TapeToTokens(const simdjson::dom::document& doc, TokenStream& out) {
  const uint64_t* tape = doc.tape.get();
  const uint8_t* strings = doc.string_buf.get();
  // tape[0] is the root word; its payload is one past the closing root word.
  const size_t end = static_cast<size_t>(tape[0] & kTapePayload) - 1;
  // Each token takes at least one tape word, so this bounds the token count.
  if (end > kMaxTokens) return false;
  struct Frame {
    uint32_t token;
    uint32_t count;  // elements (arrays) or keys and values (objects)
  };
  Frame stack[kMaxDepth + 1];
  stack[0] = {0, 0};  // the top level: its count is not used
  size_t depth = 0;
  uint64_t strings_end = 0;  // simdjson writes strings in tape order: the last one ends the rest
  out.tokens.resize(end);
  Token* const first = out.tokens.data();
  Token* t = first;
  for (size_t i = 1; i < end; ++i) {
    const uint64_t word = tape[i];
    const uint64_t payload = word & kTapePayload;
    switch (static_cast<char>(word >> 56)) {
      case '{':
        if (depth >= kMaxDepth) return false;
        ++stack[depth].count;
        stack[++depth] = {static_cast<uint32_t>(t - first), 0};
        *t++ = Token{TokenType::kMap, 0, 0, {0}};
        continue;
      case '[':
        if (depth >= kMaxDepth) return false;
        ++stack[depth].count;
        stack[++depth] = {static_cast<uint32_t>(t - first), 0};
        *t++ = Token{TokenType::kArray, 0, 0, {0}};
        continue;
      case '}': {
        const Frame f = stack[depth--];
        first[f.token].len = f.count / 2;
        first[f.token].end = static_cast<uint64_t>(t - first);
        continue;
      }
      case ']': {
        const Frame f = stack[depth--];
        first[f.token].len = f.count;
        first[f.token].end = static_cast<uint64_t>(t - first);
        continue;
      }
      case '"': {
        // string_buf: a 4-byte little-endian length, the bytes, a NUL.
        uint32_t len;
        std::memcpy(&len, strings + payload, sizeof len);
        *t = Token{TokenType::kString, 0, len, {payload + sizeof len}};
        strings_end = payload + sizeof len + len;
        break;
      }
      case 'l': {  // int64 in the next word
        int64_t v;
        std::memcpy(&v, &tape[++i], sizeof v);
        *t = v < 0 ? Token{TokenType::kNegInt, 0, 0, {~static_cast<uint64_t>(v)}}
                   : Token{TokenType::kUint, 0, 0, {static_cast<uint64_t>(v)}};
        break;
      }
      case 'u':  // uint64 beyond int64 in the next word
        *t = Token{TokenType::kUint, 0, 0, {tape[++i]}};
        break;
      case 'd':  // double in the next word (bits copied as they are)
        *t = Token{TokenType::kDouble, 0, 0, {tape[++i]}};
        break;
      case 't':
        *t = Token{TokenType::kBool, 0, 0, {1}};
        break;
      case 'f':
        *t = Token{TokenType::kBool, 0, 0, {0}};
        break;
      case 'n':
        *t = Token{TokenType::kNull, 0, 0, {0}};
        break;
      default:  // nothing else can be on a valid tape
        return false;
    }
    ++t;
    ++stack[depth].count;
  }
  out.tokens.resize(static_cast<size_t>(t - first));
  out.input = std::string_view(reinterpret_cast<const char*>(strings), strings_end);
  return depth == 0;
}

#ifdef VIGIL_JSON_CROSSCHECK
bool SameTokens(const TokenStream& a, const TokenStream& b) {
  if (a.tokens.size() != b.tokens.size()) return false;
  for (size_t i = 0; i < a.tokens.size(); ++i) {
    const Token& x = a.tokens[i];
    const Token& y = b.tokens[i];
    // Flags differ: the reference keeps strings in the arena, the fast path in simdjson's buffer.
    if (x.type != y.type || x.len != y.len) return false;
    if (x.type == TokenType::kString) {
      if (a.Text(x) != b.Text(y)) return false;
    } else if (x.u != y.u) {  // bit-identical doubles too (NaN cannot come from JSON)
      return false;
    }
  }
  return true;
}
#endif

}  // namespace

Status ReadJsonReference(std::string_view body, TokenStream& out) {
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

bool ReadJsonFast(std::string_view body, TokenStream& out) {
  out.Clear();
  out.input = body;
  simdjson::dom::parser& parser = ThreadParser(body.size());
  // Copies the body into the parser's padded buffer (simdjson reads up to 64 bytes past the end).
  auto parsed = parser.parse(body.data(), body.size(), /*realloc_if_needed=*/true);
  return parsed.error() == simdjson::SUCCESS && TapeToTokens(parser.doc, out);
}

Status ReadJson(std::string_view body, TokenStream& out) {
  if (ReadJsonFast(body, out)) {
#ifdef VIGIL_JSON_CROSSCHECK
    TokenStream reference;
    Status st = ReadJsonReference(body, reference);
    if (!st.ok() || !SameTokens(out, reference)) {
      std::fprintf(stderr, "json_reader: simdjson and nlohmann disagree (reference %s)\n",
                   st.ok() ? "accepted with other tokens" : st.error().message.c_str());
      std::abort();
    }
#endif
    return OkStatus();
  }
  return ReadJsonReference(body, out);
}

}  // namespace vigil::protocol::internal
