// Small text helpers shared by the codecs: UTF-8 checks, base64, number formatting,
// percent-decoding. Private to the protocol module.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "vigil/common/time.h"

namespace vigil::protocol::internal {

// Timestamps the wire can carry both ways: years 1 to 9999 (what FromEpochSeconds accepts).
// ParseTimestamp alone would accept year 0, which JSON/CBOR could then not read back.
inline bool InWireRange(Timestamp t) {
  return t.millis >= -62135596800000 && t.millis < 253402300800000;
}

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in well-formed UTF-8 (counts non-continuation bytes).
size_t CountCodePoints(std::string_view s);

// Standard base64 (RFC 4648, with padding).
void AppendBase64(std::string& out, std::string_view bytes);
// Accepts padded or unpadded standard base64; false on any other character.
bool DecodeBase64(std::string_view text, std::string& out);

// Shortest round-trip text of `v`, with ".0" appended when it looks integral (30 -> "30.0");
// "NaN", "Infinity", "-Infinity" for non-finite values.
void AppendDouble(std::string& out, double v);
// Appends a signed 64-bit integer in decimal.
void AppendInt(std::string& out, long long v);

// application/x-www-form-urlencoded decoding: `%XX` and `+` as space. False on a bad escape.
bool PercentDecode(std::string_view in, std::string& out);

// Appends `s` with invalid UTF-8 sequences replaced by U+FFFD.
void AppendSanitizedUtf8(std::string& out, std::string_view s);

}  // namespace vigil::protocol::internal
