#include "protocol/token_decoder.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "protocol/decode_error.h"
#include "protocol/text.h"

namespace vigil::protocol::internal {
namespace {

using model::Kind;
using model::Member;
using model::Shape;

// Tracks which members of one structure were seen (first value wins; required check).
class SeenSet {
 public:
  explicit SeenSet(size_t n) {
    if (n > 64) big_.assign(n, false);
  }
  bool Test(size_t i) const { return big_.empty() ? (bits_ >> i) & 1 : big_[i]; }
  void Set(size_t i) {
    if (big_.empty()) {
      bits_ |= uint64_t{1} << i;
    } else {
      big_[i] = true;
    }
  }

 private:
  uint64_t bits_ = 0;
  std::vector<bool> big_;
};

// Member names are short: compare them without a call to memcmp.
inline bool SameName(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8 && n <= 16) {
    uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.data(), 8);
    std::memcpy(&b0, b.data(), 8);
    std::memcpy(&a1, a.data() + n - 8, 8);
    std::memcpy(&b1, b.data() + n - 8, 8);
    return a0 == b0 && a1 == b1;
  }
  if (n >= 4 && n < 8) {
    uint32_t a0, a1, b0, b1;
    std::memcpy(&a0, a.data(), 4);
    std::memcpy(&b0, b.data(), 4);
    std::memcpy(&a1, a.data() + n - 4, 4);
    std::memcpy(&b1, b.data() + n - 4, 4);
    return a0 == b0 && a1 == b1;
  }
  return a == b;
}

class Walker {
 public:
  Walker(const TokenStream& ts, TokenFlavor flavor)
      : ts_(ts), tokens_(ts.tokens), flavor_(flavor) {}

  Status Run(const Shape& shape, void* out) {
    size_t i = 0;
    if (tokens_.empty()) {
      // Empty body: `{}`.
      static const Token kEmptyMap = [] {
        Token t{TokenType::kMap, 0, 0, {0}};
        t.end = 1;
        return t;
      }();
      return Structure(shape, out, &kEmptyMap, i) ? OkStatus() : err_.Finish();
    }
    if (tokens_[0].type != TokenType::kMap) {
      err_.Set(ErrorCode::kSerializationException,
               flavor_ == TokenFlavor::kJson ? "Expected a JSON object for "
                                             : "Expected a CBOR map for ",
               "");
      return err_.Finish();
    }
    return Structure(shape, out, &tokens_[0], i) ? OkStatus() : err_.Finish();
  }

 private:
  size_t Skip(size_t i) const {
    const Token& t = tokens_[i];
    return (t.type == TokenType::kArray || t.type == TokenType::kMap) ? t.end : i + 1;
  }

  bool TypeError(const char* expected) {
    err_.Set(ErrorCode::kSerializationException, std::string("Expected ") + expected + " for ", "");
    return false;
  }
  bool RangeError() {
    err_.Set(ErrorCode::kSerializationException, "Number out of range for ", "");
    return false;
  }

  // `t` is the map token at index i (or a synthetic empty map).
  bool Structure(const Shape& s, void* out, const Token* t, size_t& i) {
    const size_t end = t->end;
    size_t j = i + 1;
    SeenSet seen(s.member_count);
    size_t hint = 0;
    while (j < end) {
      const Token& key = tokens_[j];
      if (key.type != TokenType::kString) {  // CBOR allows any key type; none can be a member
        j = Skip(Skip(j));
        continue;
      }
      std::string_view name = ts_.Text(key);
      ++j;
      // SDKs send members in model order: try the one after the last match first.
      size_t idx = s.member_count;
      if (hint < s.member_count && SameName(s.members[hint].name, name)) {
        idx = hint;
      } else {
        for (size_t m = 0; m < s.member_count; ++m) {
          if (SameName(s.members[m].name, name)) {
            idx = m;
            break;
          }
        }
      }
      if (idx == s.member_count || seen.Test(idx) || tokens_[j].type == TokenType::kNull) {
        j = Skip(j);
        continue;
      }
      hint = idx + 1;
      seen.Set(idx);
      const Member& m = s.members[idx];
      if (!Value(*m.shape, m.mutable_value(out), j)) {
        err_.path().PushMember(&m);
        return false;
      }
    }
    for (size_t m = 0; m < s.member_count; ++m) {
      if (s.members[m].required && !seen.Test(m)) {
        err_.Set(ErrorCode::kMissingParameter, "The parameter ", " is required.");
        err_.path().PushMember(&s.members[m]);
        return false;
      }
    }
    i = end;
    return true;
  }

  bool List(const Shape& s, void* out, size_t& i) {
    const Token& t = tokens_[i];
    if (t.type != TokenType::kArray) return TypeError("a list");
    const size_t end = t.end;
    size_t j = i + 1;
    size_t position = 0;
    while (j < end) {
      ++position;
      if (tokens_[j].type == TokenType::kNull) {
        ++j;
        continue;
      }
      if (!Value(*s.element, s.list_append(out), j)) {
        err_.path().PushIndex(position);
        return false;
      }
    }
    i = end;
    return true;
  }

  bool Map(const Shape& s, void* out, size_t& i) {
    const Token& t = tokens_[i];
    if (t.type != TokenType::kMap) return TypeError("a map");
    const size_t end = t.end;
    size_t j = i + 1;
    size_t position = 0;
    std::string key;
    while (j < end) {
      ++position;
      const Token& k = tokens_[j];
      if (k.type != TokenType::kString) {
        TypeError("a string map key");
        err_.path().PushMapValue(position, "");
        return false;
      }
      key.assign(ts_.Text(k));
      ++j;
      if (tokens_[j].type == TokenType::kNull) {
        ++j;
        continue;
      }
      size_t before = s.container_size(out);
      void* value = s.map_insert(out, key);
      if (s.container_size(out) == before) {  // duplicate key: the first value wins
        j = Skip(j);
        continue;
      }
      if (!Value(*s.element, value, j)) {
        err_.path().PushMapValue(position, err_.Keep(key));
        return false;
      }
    }
    i = end;
    return true;
  }

  // Integral value of a numeric token, or false (not numeric, not integral or beyond int64).
  // `range` tells the two failures apart.
  bool IntegerOf(const Token& t, int64_t& v, bool& range) {
    range = false;
    switch (t.type) {
      case TokenType::kUint:
        if (t.u > static_cast<uint64_t>(INT64_MAX)) return range = true, false;
        v = static_cast<int64_t>(t.u);
        return true;
      case TokenType::kNegInt:
        if (t.u > static_cast<uint64_t>(INT64_MAX)) return range = true, false;
        v = -1 - static_cast<int64_t>(t.u);
        return true;
      case TokenType::kDouble:
        if (!std::isfinite(t.d) || std::trunc(t.d) != t.d) return false;
        if (t.d < -9223372036854775808.0 || t.d >= 9223372036854775808.0) {
          return range = true, false;
        }
        v = static_cast<int64_t>(t.d);
        return true;
      default:
        return false;
    }
  }

  // Numeric value of a token as a double (numbers, and the Smithy strings for non-finite values).
  bool DoubleOf(const Token& t, double& v) {
    switch (t.type) {
      case TokenType::kUint:
        v = static_cast<double>(t.u);
        return true;
      case TokenType::kNegInt:
        v = -1.0 - static_cast<double>(t.u);
        return true;
      case TokenType::kDouble:
        v = t.d;
        return true;
      case TokenType::kString: {
        std::string_view s = ts_.Text(t);
        if (s == "NaN") {
          v = std::numeric_limits<double>::quiet_NaN();
        } else if (s == "Infinity") {
          v = std::numeric_limits<double>::infinity();
        } else if (s == "-Infinity") {
          v = -std::numeric_limits<double>::infinity();
        } else {
          return false;
        }
        return true;
      }
      default:
        return false;
    }
  }

  bool Value(const Shape& s, void* out, size_t& i) {
    const Token& t = tokens_[i];
    switch (s.kind) {
      case Kind::kStructure:
        if (t.type != TokenType::kMap) return TypeError("a structure");
        return Structure(s, out, &t, i);
      case Kind::kList:
        return List(s, out, i);
      case Kind::kMap:
        return Map(s, out, i);
      case Kind::kString:
        if (t.type != TokenType::kString) return TypeError("a string");
        static_cast<std::string*>(out)->assign(ts_.Text(t));
        break;
      case Kind::kBoolean:
        if (t.type != TokenType::kBool) return TypeError("a boolean");
        *static_cast<bool*>(out) = t.u != 0;
        break;
      case Kind::kInteger:
      case Kind::kLong: {
        int64_t v;
        bool range;
        if (!IntegerOf(t, v, range)) return range ? RangeError() : TypeError("an integer");
        if (s.kind == Kind::kInteger) {
          if (v < INT32_MIN || v > INT32_MAX) return RangeError();
          *static_cast<int32_t*>(out) = static_cast<int32_t>(v);
        } else {
          *static_cast<int64_t*>(out) = v;
        }
        break;
      }
      case Kind::kDouble: {
        double v;
        if (!DoubleOf(t, v)) return TypeError("a number");
        // A JSON literal too large for a double reads as infinity: refuse it (the Smithy
        // strings are the way to send non-finite values).
        if (t.type == TokenType::kDouble && flavor_ == TokenFlavor::kJson && std::isinf(v)) {
          return RangeError();
        }
        *static_cast<double*>(out) = v;
        break;
      }
      case Kind::kTimestamp: {
        std::optional<Timestamp> ts;
        if (t.type == TokenType::kString) {
          ts = ParseTimestamp(ts_.Text(t));
          if (!ts) return TypeError("a timestamp");
          if (!InWireRange(*ts)) {
            err_.Set(ErrorCode::kSerializationException, "Timestamp out of range for ", "");
            return false;
          }
        } else {
          double seconds;
          if (t.type == TokenType::kUint || t.type == TokenType::kNegInt ||
              t.type == TokenType::kDouble) {
            DoubleOf(t, seconds);
          } else {
            return TypeError("a timestamp");
          }
          ts = FromEpochSeconds(seconds);
          if (!ts) {
            err_.Set(ErrorCode::kSerializationException, "Timestamp out of range for ", "");
            return false;
          }
        }
        *static_cast<Timestamp*>(out) = *ts;
        break;
      }
      case Kind::kBlob: {
        auto* blob = static_cast<std::string*>(out);
        if (flavor_ == TokenFlavor::kCbor) {
          if (t.type != TokenType::kBytes) return TypeError("a byte string");
          blob->assign(ts_.Text(t));
        } else {
          blob->clear();
          if (t.type != TokenType::kString || !DecodeBase64(ts_.Text(t), *blob)) {
            return TypeError("a base64-encoded blob");
          }
        }
        break;
      }
    }
    ++i;
    return true;
  }

  const TokenStream& ts_;
  const std::vector<Token>& tokens_;
  TokenFlavor flavor_;
  DecodeError err_;
};

}  // namespace

Status DecodeTokens(const TokenStream& tokens, TokenFlavor flavor, const model::Shape& shape,
                    void* out) {
  return Walker(tokens, flavor).Run(shape, out);
}

}  // namespace vigil::protocol::internal
