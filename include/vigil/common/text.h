// Small text helpers shared across modules: numbers as AWS prints them, percent-decoding.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// Shortest round-trip text of `v`, with ".0" appended when it looks integral (30 -> "30.0", as
// Java prints doubles in AWS messages); "NaN", "Infinity", "-Infinity" for non-finite values.
void AppendDouble(std::string& out, double v);
std::string FormatDouble(double v);

// A double as Java's Double.toString prints it, which is how AWS writes numbers in alarm texts:
// "21.5", "21.0", "1.0E7", "1.2345E-5".
std::string JavaDouble(double v);

// Appends a signed 64-bit integer in decimal.
void AppendInt(std::string& out, long long v);

// Appends `s` as a JSON string literal, quotes included, escaping only `"`, `\\` and control
// characters (non-ASCII stays UTF-8, `/` as is), as AWS's writers do. `s` must be valid UTF-8:
// the protocol encoders sanitize first (protocol/writer.h AppendJsonString).
void AppendJsonQuoted(std::string& out, std::string_view s);

// application/x-www-form-urlencoded decoding: `+` is a space, `%XX` a byte. Appends to `out`;
// false on a malformed escape.
bool PercentDecode(std::string_view in, std::string& out);

}  // namespace vigil
