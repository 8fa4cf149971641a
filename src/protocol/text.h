// Small text helpers shared by the codecs: UTF-8 checks, base64, number formatting,
// percent-decoding. Private to the protocol module.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "vigil/common/base64.h"
#include "vigil/common/text.h"
#include "vigil/common/time.h"

namespace vigil::protocol::internal {

using vigil::AppendDouble;
using vigil::AppendInt;
using vigil::PercentDecode;

// Standard base64 (RFC 4648).
inline void AppendBase64(std::string& out, std::string_view bytes) { out += Base64Encode(bytes); }
// Accepts padded or unpadded standard base64; false on any other character.
inline bool DecodeBase64(std::string_view text, std::string& out) {
  auto decoded = Base64Decode(text);
  if (!decoded) return false;
  out += *decoded;
  return true;
}

// Timestamps the wire can carry both ways: years 1 to 9999 (what FromEpochSeconds accepts).
// ParseTimestamp alone would accept year 0, which JSON/CBOR could then not read back.
inline bool InWireRange(Timestamp t) {
  return t.millis >= -62135596800000 && t.millis < 253402300800000;
}

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in well-formed UTF-8 (counts non-continuation bytes).
size_t CountCodePoints(std::string_view s);

// Appends `s` with invalid UTF-8 sequences replaced by U+FFFD.
void AppendSanitizedUtf8(std::string& out, std::string_view s);

}  // namespace vigil::protocol::internal
