#include "net/body_decoder.h"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <utility>

namespace vigil::net {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    return lower(x) == lower(y);
  });
}

std::string_view Trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

constexpr size_t kFirstChunk = 64 * 1024;
// zlib counts in uInt; feed and drain in pieces no larger than this.
constexpr size_t kMaxZlibStep = size_t{1} << 30;

}  // namespace

ContentCoding ClassifyContentEncoding(std::string_view value) {
  value = Trim(value);
  if (value.empty() || EqualsIgnoreCase(value, "identity")) return ContentCoding::kIdentity;
  if (EqualsIgnoreCase(value, "gzip") || EqualsIgnoreCase(value, "x-gzip")) {
    return ContentCoding::kGzip;
  }
  return ContentCoding::kUnsupported;
}

GunzipResult Gunzip(std::string_view in, size_t max_out, std::string& out) {
  out.clear();
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return GunzipResult::kCorrupt;
  struct End {
    z_stream* zs;
    ~End() { inflateEnd(zs); }
  } end{&zs};

  // One byte more than allowed is enough to know the limit was passed.
  const size_t hard_cap = max_out == std::numeric_limits<size_t>::max() ? max_out : max_out + 1;
  const char* next_in = in.data();
  size_t remaining_in = in.size();
  size_t produced = 0;
  for (;;) {
    if (zs.avail_in == 0 && remaining_in > 0) {
      const size_t step = std::min(remaining_in, kMaxZlibStep);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(next_in));
      zs.avail_in = static_cast<uInt>(step);
      next_in += step;
      remaining_in -= step;
    }
    if (produced == out.size()) {
      if (out.size() >= hard_cap) return GunzipResult::kTooLarge;
      // Grow geometrically, never past the cap.
      const size_t grow = std::min(std::max(out.size(), kFirstChunk), hard_cap - out.size());
      out.resize(out.size() + grow);
    }
    const size_t room = std::min(out.size() - produced, kMaxZlibStep);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(room);
    const int ret = inflate(&zs, Z_NO_FLUSH);
    produced += room - zs.avail_out;
    if (produced > max_out) return GunzipResult::kTooLarge;
    const bool input_exhausted = zs.avail_in == 0 && remaining_in == 0;
    if (ret == Z_STREAM_END) {
      if (input_exhausted) break;
      // Another gzip member follows (RFC 1952 allows concatenation); garbage fails in inflate.
      if (inflateReset(&zs) != Z_OK) return GunzipResult::kCorrupt;
      continue;
    }
    if (ret == Z_BUF_ERROR) {
      // No progress was possible: with output room left that means the input ran out.
      if (input_exhausted) return GunzipResult::kCorrupt;
      continue;
    }
    if (ret != Z_OK) return GunzipResult::kCorrupt;
    // All input consumed, output room left, stream not finished: truncated.
    if (input_exhausted && zs.avail_out != 0) return GunzipResult::kCorrupt;
  }
  out.resize(produced);
  return GunzipResult::kOk;
}

BodyStatus DecodeBody(std::string_view content_encoding, size_t max_inflated_bytes,
                      std::string& body) {
  const ContentCoding coding = ClassifyContentEncoding(content_encoding);
  if (coding == ContentCoding::kIdentity || body.empty()) return BodyStatus::kOk;
  if (coding == ContentCoding::kUnsupported) {
    std::string().swap(body);
    return BodyStatus::kUnsupportedEncoding;
  }
  std::string inflated;
  const GunzipResult result = Gunzip(body, max_inflated_bytes, inflated);
  if (result == GunzipResult::kOk) {
    body = std::move(inflated);
    return BodyStatus::kOk;
  }
  std::string().swap(body);
  return result == GunzipResult::kTooLarge ? BodyStatus::kInflatedTooLarge
                                           : BodyStatus::kBadEncoding;
}

}  // namespace vigil::net
