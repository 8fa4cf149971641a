// A compact token stream: what the JSON and CBOR readers turn a body into, and what the one
// shape-driven walker (token_decoder.h) reads. No DOM: a flat vector of 16-byte tokens, strings
// either in one arena or (CBOR definite strings) pointing into the input.
//
// A container token (array, map) records the index one past its last token, so skipping an
// unknown member of any depth is O(1). A map's tokens alternate key, value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/common/result.h"

namespace vigil::protocol::internal {

enum class TokenType : uint8_t {
  kNull,    // JSON null, CBOR null and undefined
  kBool,    // u = 0/1
  kUint,    // u = value
  kNegInt,  // value = -1 - u (CBOR's encoding; JSON negatives are stored the same way)
  kDouble,  // d
  kString,  // text: offset/len
  kBytes,   // CBOR byte string: offset/len
  kArray,   // len = element count, end = index past the last token
  kMap,     // len = pair count, end = index past the last token
};

// Token::flags
inline constexpr uint8_t kFlagInArena = 1;   // string bytes live in the arena, not the input
inline constexpr uint8_t kFlagEpochTag = 2;  // CBOR tag 1 (epoch-based date/time) preceded it

struct Token {
  TokenType type;
  uint8_t flags;
  uint32_t len;
  union {
    uint64_t u;
    double d;
    uint64_t offset;
    uint64_t end;
  };
};
static_assert(sizeof(Token) == 16);

// Nesting deeper than this is refused by both readers.
inline constexpr size_t kMaxDepth = 64;
// More tokens than this is refused (a 1 MB PutMetricData needs well under a million).
inline constexpr size_t kMaxTokens = size_t{1} << 23;

struct TokenStream {
  std::vector<Token> tokens;
  std::string arena;
  std::string_view input;

  std::string_view Text(const Token& t) const {
    const char* base = (t.flags & kFlagInArena) ? arena.data() : input.data();
    return std::string_view(base + t.offset, t.len);
  }
  void Clear() {
    tokens.clear();
    arena.clear();
    input = {};
  }
};

// Readers: fill `out` from a whole body (one top-level value, nothing after it). Errors are
// SerializationException with a message saying what was wrong.
Status ReadJson(std::string_view body, TokenStream& out);
Status ReadCbor(std::string_view body, TokenStream& out);

}  // namespace vigil::protocol::internal
