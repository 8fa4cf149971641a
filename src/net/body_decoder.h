// Request body decoding: `Content-Encoding` (gzip) with an inflated-size cap. zlib only, no Beast.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "vigil/common/http.h"

namespace vigil::net {

enum class ContentCoding { kIdentity, kGzip, kUnsupported };

// Classifies a Content-Encoding header value: empty or `identity` -> kIdentity; `gzip` or `x-gzip`
// (case-insensitive, surrounding whitespace ignored) -> kGzip; anything else, including a list of
// several codings, -> kUnsupported.
ContentCoding ClassifyContentEncoding(std::string_view value);

enum class GunzipResult { kOk, kTooLarge, kCorrupt };

// Inflates a gzip stream (several concatenated members allowed, RFC 1952) into `out`.
// Streaming: it stops as soon as the output passes `max_out` bytes, so a gzip bomb costs at most
// about 2 * max_out of memory, never its full inflated size. A truncated or corrupt stream, or
// trailing bytes that are not another gzip member, give kCorrupt. `out` is unspecified on failure.
GunzipResult Gunzip(std::string_view in, size_t max_out, std::string& out);

// Decodes `body` in place according to `content_encoding` and returns the resulting BodyStatus.
// On anything but kOk the body is cleared. An empty body is accepted as empty whatever the coding.
BodyStatus DecodeBody(std::string_view content_encoding, size_t max_inflated_bytes,
                      std::string& body);

}  // namespace vigil::net
