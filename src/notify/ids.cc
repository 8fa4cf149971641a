#include "vigil/notify/ids.h"

#include <openssl/rand.h>

#include <array>
#include <climits>
#include <cstdlib>
#include <vector>

namespace vigil::notify {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(std::string& out, uint8_t b) {
  out += kHex[b >> 4];
  out += kHex[b & 0xf];
}

}  // namespace

void SecureRandom::Fill(std::span<uint8_t> out) {
  while (!out.empty()) {
    size_t n = std::min<size_t>(out.size(), INT_MAX);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) std::abort();
    out = out.subspan(n);
  }
}

std::string NewMessageId(RandomSource& random) {
  std::array<uint8_t, 16> b{};
  random.Fill(b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // variant 10xx
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    AppendHex(out, b[i]);
  }
  return out;
}

std::string NewConfirmationToken(RandomSource& random) {
  std::vector<uint8_t> b(kTokenBytes);
  random.Fill(b);
  std::string out;
  out.reserve(2 * b.size());
  for (uint8_t x : b) AppendHex(out, x);
  return out;
}

}  // namespace vigil::notify
