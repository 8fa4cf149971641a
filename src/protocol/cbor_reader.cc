// CBOR -> tokens with libcbor's streaming decoder used as a pull tokenizer: one
// cbor_stream_decode call per item, callbacks append tokens, an explicit stack tracks open
// containers (no recursion, so adversarial nesting cannot blow the stack).
#include <cbor.h>

#include "protocol/text.h"
#include "protocol/tokens.h"

namespace vigil::protocol::internal {
namespace {

class CborState {
 public:
  explicit CborState(TokenStream& out) : out_(out) {}

  bool failed() const { return !error_.empty(); }
  bool done() const { return done_; }
  const std::string& error() const { return error_; }
  void Fail(const char* why) {
    if (error_.empty()) error_ = why;
  }

  void Scalar(TokenType type, uint64_t u) {
    if (!Ready()) return;
    Token t{type, TakeFlags(), 0, {u}};
    out_.tokens.push_back(t);
    Complete();
  }
  void Double(double d) {
    if (!Ready()) return;
    Token t{TokenType::kDouble, TakeFlags(), 0, {0}};
    t.d = d;
    out_.tokens.push_back(t);
    Complete();
  }
  void Text(TokenType type, const unsigned char* data, size_t len) {
    if (type == TokenType::kString &&
        !IsValidUtf8(std::string_view(reinterpret_cast<const char*>(data), len))) {
      return Fail("a text string is not valid UTF-8");
    }
    if (chunked_ != Chunked::kNone) {
      bool want_text = chunked_ == Chunked::kText;
      if (want_text != (type == TokenType::kString)) {
        return Fail("an indefinite-length string has a chunk of the wrong type");
      }
      Token& t = out_.tokens[chunk_token_];
      if (uint64_t{t.len} + len > UINT32_MAX) return Fail("a string is too long");
      out_.arena.append(reinterpret_cast<const char*>(data), len);
      t.len += static_cast<uint32_t>(len);
      return;
    }
    if (!Ready()) return;
    if (len > UINT32_MAX) return Fail("a string is too long");
    Token t{type, TakeFlags(), static_cast<uint32_t>(len), {0}};
    t.offset = static_cast<uint64_t>(reinterpret_cast<const char*>(data) - out_.input.data());
    out_.tokens.push_back(t);
    Complete();
  }
  void StartChunks(TokenType type) {
    if (!Ready()) return;
    Token t{type, static_cast<uint8_t>(TakeFlags() | kFlagInArena), 0, {0}};
    t.offset = out_.arena.size();
    chunk_token_ = out_.tokens.size();
    out_.tokens.push_back(t);
    chunked_ = type == TokenType::kString ? Chunked::kText : Chunked::kBytes;
  }
  // `count` is the element count (arrays) or pair count (maps); indefinite when !definite.
  void Open(TokenType type, bool definite, uint64_t count) {
    if (!Ready()) return;
    if (stack_.size() >= kMaxDepth) return Fail("the request body is nested too deeply");
    uint64_t items = type == TokenType::kMap ? count * 2 : count;
    // Every item takes at least one byte: a count beyond what is left cannot be satisfied.
    if (definite && (count > remaining_bytes_ || items > remaining_bytes_)) {
      return Fail("the body is truncated");
    }
    Token t{type, TakeFlags(), 0, {0}};
    out_.tokens.push_back(t);
    stack_.push_back({static_cast<uint32_t>(out_.tokens.size() - 1), items, 0, !definite});
    if (definite && items == 0) CloseTop();
  }
  void Tag(uint64_t tag) {
    if (chunked_ != Chunked::kNone) return Fail("a tag inside an indefinite-length string");
    if (tag == 1) pending_flags_ |= kFlagEpochTag;
    tagged_ = true;
  }
  void Break() {
    if (tagged_) return Fail("a tag without a value");
    if (chunked_ != Chunked::kNone) {
      chunked_ = Chunked::kNone;
      Complete();
      return;
    }
    if (stack_.empty() || !stack_.back().indefinite) return Fail("an unexpected break");
    const Frame& f = stack_.back();
    if (out_.tokens[f.token].type == TokenType::kMap && f.count % 2 != 0) {
      return Fail("a map has a key without a value");
    }
    CloseTop();
  }
  void set_remaining_bytes(uint64_t n) { remaining_bytes_ = n; }

 private:
  enum class Chunked { kNone, kText, kBytes };
  struct Frame {
    uint32_t token;
    uint64_t remaining;  // items still expected (definite containers)
    uint64_t count;      // items seen
    bool indefinite;
  };

  // A new item may start here.
  bool Ready() {
    if (chunked_ != Chunked::kNone) {
      Fail("an indefinite-length string has a chunk of the wrong type");
      return false;
    }
    if (out_.tokens.size() >= kMaxTokens) {
      Fail("too many values in the request body");
      return false;
    }
    return !failed();
  }
  uint8_t TakeFlags() {
    uint8_t f = pending_flags_;
    pending_flags_ = 0;
    tagged_ = false;
    return f;
  }
  // One item finished: count it in its container, closing containers that are now full.
  void Complete() {
    while (true) {
      if (stack_.empty()) {
        done_ = true;
        return;
      }
      Frame& f = stack_.back();
      ++f.count;
      if (f.indefinite || --f.remaining != 0) return;
      Token& t = out_.tokens[f.token];
      t.len = static_cast<uint32_t>(t.type == TokenType::kMap ? f.count / 2 : f.count);
      t.end = out_.tokens.size();
      stack_.pop_back();
    }
  }
  void CloseTop() {
    Frame f = stack_.back();
    Token& t = out_.tokens[f.token];
    t.len = static_cast<uint32_t>(t.type == TokenType::kMap ? f.count / 2 : f.count);
    t.end = out_.tokens.size();
    stack_.pop_back();
    Complete();
  }

  TokenStream& out_;
  std::vector<Frame> stack_;
  std::string error_;
  Chunked chunked_ = Chunked::kNone;
  size_t chunk_token_ = 0;
  uint8_t pending_flags_ = 0;
  bool tagged_ = false;
  bool done_ = false;
  uint64_t remaining_bytes_ = 0;
};

CborState& S(void* ctx) { return *static_cast<CborState*>(ctx); }

const cbor_callbacks kCallbacks = [] {
  cbor_callbacks cb = cbor_empty_callbacks;
  cb.uint8 = [](void* c, uint8_t v) { S(c).Scalar(TokenType::kUint, v); };
  cb.uint16 = [](void* c, uint16_t v) { S(c).Scalar(TokenType::kUint, v); };
  cb.uint32 = [](void* c, uint32_t v) { S(c).Scalar(TokenType::kUint, v); };
  cb.uint64 = [](void* c, uint64_t v) { S(c).Scalar(TokenType::kUint, v); };
  cb.negint8 = [](void* c, uint8_t v) { S(c).Scalar(TokenType::kNegInt, v); };
  cb.negint16 = [](void* c, uint16_t v) { S(c).Scalar(TokenType::kNegInt, v); };
  cb.negint32 = [](void* c, uint32_t v) { S(c).Scalar(TokenType::kNegInt, v); };
  cb.negint64 = [](void* c, uint64_t v) { S(c).Scalar(TokenType::kNegInt, v); };
  // libcbor 0.8: byte_string/string carry a definite string (or one chunk of an indefinite
  // one); byte_string_start/string_start open an indefinite one.
  cb.byte_string = [](void* c, cbor_data d, size_t n) { S(c).Text(TokenType::kBytes, d, n); };
  cb.byte_string_start = [](void* c) { S(c).StartChunks(TokenType::kBytes); };
  cb.string = [](void* c, cbor_data d, size_t n) { S(c).Text(TokenType::kString, d, n); };
  cb.string_start = [](void* c) { S(c).StartChunks(TokenType::kString); };
  cb.array_start = [](void* c, size_t n) { S(c).Open(TokenType::kArray, true, n); };
  cb.indef_array_start = [](void* c) { S(c).Open(TokenType::kArray, false, 0); };
  cb.map_start = [](void* c, size_t n) { S(c).Open(TokenType::kMap, true, n); };
  cb.indef_map_start = [](void* c) { S(c).Open(TokenType::kMap, false, 0); };
  cb.tag = [](void* c, uint64_t t) { S(c).Tag(t); };
  cb.float2 = [](void* c, float v) { S(c).Double(v); };
  cb.float4 = [](void* c, float v) { S(c).Double(v); };
  cb.float8 = [](void* c, double v) { S(c).Double(v); };
  cb.null = [](void* c) { S(c).Scalar(TokenType::kNull, 0); };
  cb.undefined = [](void* c) { S(c).Scalar(TokenType::kNull, 0); };
  cb.boolean = [](void* c, bool v) { S(c).Scalar(TokenType::kBool, v ? 1 : 0); };
  cb.indef_break = [](void* c) { S(c).Break(); };
  return cb;
}();

// For a definite byte/text string header at p, checks that the whole string is present. This
// keeps absurd 64-bit lengths away from libcbor's own bounds arithmetic.
bool StringFits(const unsigned char* p, size_t avail) {
  unsigned major = p[0] >> 5;
  if (major != 2 && major != 3) return true;
  unsigned ai = p[0] & 31;
  size_t header = 1;
  uint64_t len;
  if (ai < 24) {
    len = ai;
  } else if (ai >= 24 && ai <= 27) {
    size_t n = size_t{1} << (ai - 24);
    if (avail < 1 + n) return false;
    len = 0;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | p[1 + i];
    header += n;
  } else {
    return true;  // indefinite (31) or reserved (libcbor rejects those)
  }
  return len <= avail - header;
}

}  // namespace

Status ReadCbor(std::string_view body, TokenStream& out) {
  out.Clear();
  out.input = body;
  out.tokens.reserve(body.size() / 6 + 8);
  CborState state(out);
  const auto* data = reinterpret_cast<const unsigned char*>(body.data());
  size_t pos = 0;
  auto fail = [](std::string_view why) {
    return MakeError(ErrorCode::kSerializationException,
                     "Malformed CBOR request body: " + std::string(why));
  };
  while (pos < body.size()) {
    if (state.done()) return fail("unexpected bytes after the top-level item");
    size_t avail = body.size() - pos;
    if (!StringFits(data + pos, avail)) return fail("the body is truncated");
    state.set_remaining_bytes(avail);
    cbor_decoder_result r = cbor_stream_decode(data + pos, avail, &kCallbacks, &state);
    if (r.status == CBOR_DECODER_NEDATA) return fail("the body is truncated");
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0) return fail("invalid CBOR data");
    if (state.failed()) return fail(state.error());
    pos += r.read;
  }
  if (!state.done()) return fail("the body is truncated");
  return OkStatus();
}

}  // namespace vigil::protocol::internal
