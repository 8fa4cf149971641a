// Base64 (RFC 4648, with padding) for blobs and opaque paging tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil {

std::string Base64Encode(std::string_view bytes);
// Accepts padded or unpadded input; nullopt for characters outside the alphabet or bad padding.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace vigil
