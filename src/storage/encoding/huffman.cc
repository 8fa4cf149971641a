#include "storage/encoding/huffman.h"

#include <algorithm>
#include <bit>
#include <queue>

namespace vigil::storage::encoding {
namespace {

// Huffman code lengths for the counts (zero counts get none), unlimited.
std::array<uint8_t, HuffmanCode::kSymbols> Lengths(const std::array<uint32_t, HuffmanCode::kSymbols>& counts) {
  std::array<uint8_t, HuffmanCode::kSymbols> lengths{};
  struct Node {
    uint64_t weight;
    int left, right;  // children (-1: leaf)
    int symbol;
  };
  std::vector<Node> nodes;
  using Item = std::pair<uint64_t, int>;  // weight, node
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
  for (int s = 0; s < HuffmanCode::kSymbols; ++s) {
    if (counts[s] == 0) continue;
    nodes.push_back({counts[s], -1, -1, s});
    queue.push({counts[s], static_cast<int>(nodes.size()) - 1});
  }
  if (nodes.empty()) return lengths;
  if (nodes.size() == 1) {
    lengths[nodes[0].symbol] = 1;
    return lengths;
  }
  while (queue.size() > 1) {
    auto [wa, a] = queue.top();
    queue.pop();
    auto [wb, b] = queue.top();
    queue.pop();
    nodes.push_back({wa + wb, a, b, -1});
    queue.push({wa + wb, static_cast<int>(nodes.size()) - 1});
  }
  // Depths by walking down from the root.
  std::vector<std::pair<int, uint8_t>> stack = {{queue.top().second, 0}};
  while (!stack.empty()) {
    auto [n, depth] = stack.back();
    stack.pop_back();
    if (nodes[n].left < 0) {
      lengths[nodes[n].symbol] = static_cast<uint8_t>(std::min<int>(depth, 255));
      continue;
    }
    stack.push_back({nodes[n].left, static_cast<uint8_t>(depth + 1)});
    stack.push_back({nodes[n].right, static_cast<uint8_t>(depth + 1)});
  }
  return lengths;
}

uint16_t Reverse(uint32_t code, int length) {
  uint32_t r = 0;
  for (int i = 0; i < length; ++i) r |= ((code >> i) & 1) << (length - 1 - i);
  return static_cast<uint16_t>(r);
}

// Canonical codes from lengths (DEFLATE's construction): by (length, symbol), consecutive values.
std::array<uint16_t, HuffmanCode::kSymbols> Codes(const std::array<uint8_t, HuffmanCode::kSymbols>& lengths) {
  std::array<uint32_t, HuffmanCode::kMaxCodeBits + 2> count{}, next{};
  for (auto l : lengths) ++count[l];
  count[0] = 0;
  uint32_t code = 0;
  for (int len = 1; len <= HuffmanCode::kMaxCodeBits; ++len) {
    code = (code + count[len - 1]) << 1;
    next[len] = code;
  }
  std::array<uint16_t, HuffmanCode::kSymbols> codes{};
  for (int s = 0; s < HuffmanCode::kSymbols; ++s) {
    int len = lengths[s];
    if (len > 0 && len <= HuffmanCode::kMaxCodeBits) codes[s] = Reverse(next[len]++, len);
  }
  return codes;
}

// Elias gamma of v >= 1: the bit length in unary (zeros, then a one), then the bits under the
// leading one.
void PutGamma(BitWriter& out, uint32_t v) {
  int n = std::bit_width(v);
  out.Put(uint64_t{1} << (n - 1), n);
  out.Put(v, n - 1);
}

bool GetGamma(BitReader& in, uint32_t& v) {
  int zeros = 0;
  while (in.Get(1) == 0) {
    if (++zeros > 31) return false;
  }
  v = (1u << zeros) | static_cast<uint32_t>(in.Get(zeros));
  return true;
}

// Symbol of an integer: 0 and 1 are themselves; from bit length L >= 2 on, 2L - 2 plus the bit
// under the leading one.
uint32_t SymbolOf(uint64_t v, int& length) {
  length = std::bit_width(v);
  if (length < 2) return static_cast<uint32_t>(length);
  return static_cast<uint32_t>(2 * length - 2) + static_cast<uint32_t>((v >> (length - 2)) & 1);
}

}  // namespace

void HuffmanCode::Build(const std::array<uint32_t, kSymbols>& counts) {
  std::array<uint32_t, kSymbols> c = counts;
  for (;;) {
    lengths_ = Lengths(c);
    if (*std::max_element(lengths_.begin(), lengths_.end()) <= kMaxCodeBits) break;
    // Too deep: flatten the counts and try again (rare symbols then cost a bit more).
    for (auto& x : c) {
      if (x > 0) x = (x + 1) / 2;
    }
  }
  codes_ = Codes(lengths_);
}

void HuffmanCode::WriteTable(BitWriter& out) const {
  int used = 0;
  for (auto l : lengths_) used += l > 0 ? 1 : 0;
  out.Put(static_cast<uint64_t>(used), 8);
  int prev = -1;
  for (int s = 0; s < kSymbols; ++s) {
    if (lengths_[s] == 0) continue;
    PutGamma(out, static_cast<uint32_t>(s - prev));
    out.Put(lengths_[s], 4);
    prev = s;
  }
}

bool HuffmanDecoder::ReadTable(BitReader& in) {
  std::array<uint8_t, HuffmanCode::kSymbols> lengths{};
  int used = static_cast<int>(in.Get(8));
  if (used < 1 || used > HuffmanCode::kSymbols) return false;
  int s = -1;
  uint64_t kraft = 0;  // in units of 2^-kMaxCodeBits
  for (int k = 0; k < used; ++k) {
    uint32_t delta;
    if (!GetGamma(in, delta)) return false;
    s += static_cast<int>(delta);
    if (s >= HuffmanCode::kSymbols) return false;
    int len = static_cast<int>(in.Get(4));
    if (len < 1 || len > HuffmanCode::kMaxCodeBits) return false;
    lengths[s] = static_cast<uint8_t>(len);
    kraft += uint64_t{1} << (HuffmanCode::kMaxCodeBits - len);
  }
  if (kraft > (uint64_t{1} << HuffmanCode::kMaxCodeBits)) return false;
  auto codes = Codes(lengths);
  bits_ = *std::max_element(lengths.begin(), lengths.end());
  const uint32_t size = 1u << bits_;
  // Entries no code reaches (an incomplete code: one symbol) decode as nothing valid.
  std::fill_n(table_.begin(), size, static_cast<uint16_t>(HuffmanCode::kSymbols << 4 | bits_));
  for (int sym = 0; sym < HuffmanCode::kSymbols; ++sym) {
    int len = lengths[sym];
    if (len == 0) continue;
    for (uint32_t k = codes[sym]; k < size; k += 1u << len) {
      table_[k] = static_cast<uint16_t>(sym << 4 | len);
    }
  }
  return true;
}

void EncodeIntegers(BitWriter& out, const uint64_t* values, size_t n) {
  if (n == 0) return;
  std::array<uint32_t, HuffmanCode::kSymbols> counts{};
  int length;
  for (size_t i = 0; i < n; ++i) ++counts[SymbolOf(values[i], length)];
  HuffmanCode code;
  code.Build(counts);
  code.WriteTable(out);
  for (size_t i = 0; i < n; ++i) {
    code.Encode(out, SymbolOf(values[i], length));
    if (length > 2) out.Put(values[i], length - 2);
  }
}

bool DecodeIntegers(BitReader& in, size_t n, uint64_t* values) {
  if (n == 0) return true;
  HuffmanDecoder decoder;
  if (!decoder.ReadTable(in)) return false;
  for (size_t i = 0; i < n; ++i) {
    uint32_t s = decoder.Decode(in);
    if (s < 2) {
      values[i] = s;
      continue;
    }
    if (s >= 128) return false;
    int length = static_cast<int>(s / 2) + 1;
    uint64_t top = (uint64_t{2} | (s & 1)) << (length - 2);
    values[i] = top | in.Get(length - 2);
  }
  return in.ok();
}

}  // namespace vigil::storage::encoding
