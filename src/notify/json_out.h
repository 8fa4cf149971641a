// A minimal JSON text writer for the notification formats, private to `notify`.
//
// AWS writes these documents with Jackson: strings escape only `"`, `\` and control characters
// (non-ASCII stays UTF-8, `/` stays as is), doubles print as Java's Double.toString. The writer
// appends to a caller-owned string and does no validation of nesting: callers emit keys in the
// exact order AWS uses, which is the whole point of not going through a JSON library here.
#pragma once

#include <string>
#include <string_view>

namespace vigil::notify::json {

// Appends `s` as a JSON string literal, quotes included.
void AppendString(std::string& out, std::string_view s);

// Appends `"key":` (compact form used inside the alarm Message).
inline void AppendKey(std::string& out, std::string_view key) {
  AppendString(out, key);
  out += ':';
}

}  // namespace vigil::notify::json
