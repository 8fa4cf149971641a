// Timestamps and their text forms.
//
// vigil keeps time as milliseconds since the Unix epoch (UTC). Wire codecs convert to and from
// epoch seconds (JSON, CBOR tag 1) and ISO-8601 (Query/XML); alarm texts use AWS's own formats.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

struct Timestamp {
  int64_t millis = 0;

  static constexpr Timestamp FromSeconds(int64_t s) { return Timestamp{s * 1000}; }
  static constexpr Timestamp FromMillis(int64_t ms) { return Timestamp{ms}; }
  // Rounds to the nearest millisecond; the caller checks the range first (see FromEpochSeconds).
  static Timestamp FromDoubleSeconds(double s);

  constexpr int64_t seconds() const { return millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000); }
  constexpr double as_double_seconds() const { return static_cast<double>(millis) / 1000.0; }

  constexpr auto operator<=>(const Timestamp&) const = default;
};

// Epoch seconds (possibly fractional) -> Timestamp; nullopt for NaN/Inf or beyond year 9999.
std::optional<Timestamp> FromEpochSeconds(double seconds);

// ISO-8601 as AWS writes it in XML: `2025-12-17T13:53:00Z`, or `...:00.123Z` when there are
// milliseconds.
std::string FormatIso8601(Timestamp t);

// `2026-11-27T12:35:00.000+0000`: the form inside alarm StateReasonData and SNS messages.
std::string FormatAwsMillis(Timestamp t);

// `27/11/26 12:35:00`: the dd/mm/yy form inside alarm StateReason texts.
std::string FormatReasonDate(Timestamp t);

// Parses the ISO-8601 forms the SDKs send (`2026-11-27T11:37:00Z`, with fraction, with offset
// `+00:00`, or a bare date) and plain epoch seconds.
std::optional<Timestamp> ParseTimestamp(std::string_view text);

}  // namespace vigil
