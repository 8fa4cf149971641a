// A binary adaptive range coder (the LZMA design: 32-bit range, 11-bit probabilities that move
// 1/32 of the way towards each coded bit) used by the block encoding (docs/storage-format.md).
//
// Each coded decision costs about -log2(p) bits where p is the model's current estimate, so the
// models learn a block's value distribution as they go and no code tables are stored. "Direct"
// bits cost exactly one bit each. The decoder never reads outside its input: past the end it
// reads zero bytes, so a truncated or corrupt block decodes to garbage values (which the block
// decoder bounds-checks) instead of crashing.
//
// Value types; not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::storage::encoding {

using Prob = uint16_t;
inline constexpr int kProbBits = 11;
inline constexpr Prob kProbInit = 1 << (kProbBits - 1);
inline constexpr int kMoveBits = 4;
inline constexpr uint32_t kTop = 1u << 24;

class RangeEncoder {
 public:
  explicit RangeEncoder(std::string& out) : out_(out) {}

  void Bit(Prob& p, uint32_t bit) {
    uint32_t bound = (range_ >> kProbBits) * p;
    if (bit == 0) {
      range_ = bound;
      p = static_cast<Prob>(p + (((1u << kProbBits) - p) >> kMoveBits));
    } else {
      low_ += bound;
      range_ -= bound;
      p = static_cast<Prob>(p - (p >> kMoveBits));
    }
    while (range_ < kTop) {
      range_ <<= 8;
      ShiftLow();
    }
  }

  // The low `count` (<= 64) bits of `value`, most significant first, each costing one bit. Up to
  // 16 bits at a time share one step of the range (it is >= 2^24, so >= 2^8 remains).
  void Direct(uint64_t value, int count) {
    while (count > 0) {
      int step = count < 16 ? count : 16;
      count -= step;
      range_ >>= step;
      low_ += static_cast<uint64_t>(range_) * ((value >> count) & ((1u << step) - 1));
      while (range_ < kTop) {
        range_ <<= 8;
        ShiftLow();
      }
    }
  }

  // A symbol occupying [start, start + size) of `total` (<= 2^16) counts.
  void Symbol(uint32_t start, uint32_t size, uint32_t total) {
    uint32_t r = range_ / total;
    low_ += static_cast<uint64_t>(r) * start;
    range_ = r * size;
    while (range_ < kTop) {
      range_ <<= 8;
      ShiftLow();
    }
  }

  // Writes what is pending. The encoder must not be used afterwards.
  void Finish() {
    for (int i = 0; i < 5; ++i) ShiftLow();
  }

 private:
  void ShiftLow() {
    if (static_cast<uint32_t>(low_) < 0xFF000000u || (low_ >> 32) != 0) {
      uint8_t carry = static_cast<uint8_t>(low_ >> 32);
      uint8_t temp = cache_;
      do {
        // The very first byte is always 0: it is not written (the decoder assumes it).
        if (started_) out_.push_back(static_cast<char>(static_cast<uint8_t>(temp + carry)));
        started_ = true;
        temp = 0xFF;
      } while (--cache_size_ != 0);
      cache_ = static_cast<uint8_t>(static_cast<uint32_t>(low_) >> 24);
    }
    ++cache_size_;
    low_ = (low_ & 0x00FFFFFFu) << 8;
  }

  std::string& out_;
  uint64_t low_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint8_t cache_ = 0;
  uint64_t cache_size_ = 1;
  bool started_ = false;
};

class RangeDecoder {
 public:
  explicit RangeDecoder(std::string_view in) : in_(in) {
    for (int i = 0; i < 4; ++i) code_ = (code_ << 8) | NextByte();
  }

  uint32_t Bit(Prob& p) {
    uint32_t bound = (range_ >> kProbBits) * p;
    uint32_t bit;
    if (code_ < bound) {
      range_ = bound;
      p = static_cast<Prob>(p + (((1u << kProbBits) - p) >> kMoveBits));
      bit = 0;
    } else {
      code_ -= bound;
      range_ -= bound;
      p = static_cast<Prob>(p - (p >> kMoveBits));
      bit = 1;
    }
    while (range_ < kTop) {
      range_ <<= 8;
      code_ = (code_ << 8) | NextByte();
    }
    return bit;
  }

  uint64_t Direct(int count) {
    uint64_t v = 0;
    while (count > 0) {
      int step = count < 16 ? count : 16;
      count -= step;
      range_ >>= step;
      uint32_t digit = code_ / range_;
      if (digit >= (1u << step)) digit = (1u << step) - 1;  // only on corrupt input
      code_ -= digit * range_;
      v = (v << step) | digit;
      while (range_ < kTop) {
        range_ <<= 8;
        code_ = (code_ << 8) | NextByte();
      }
    }
    return v;
  }

  // The count position of the next symbol of `total` (<= 2^16) counts; then Consume() it.
  uint32_t Target(uint32_t total) {
    step_ = range_ / total;
    uint32_t v = code_ / step_;
    return v < total ? v : total - 1;  // beyond only on corrupt input
  }
  void Consume(uint32_t start, uint32_t size) {
    code_ -= step_ * start;
    range_ = step_ * size;
    while (range_ < kTop) {
      range_ <<= 8;
      code_ = (code_ << 8) | NextByte();
    }
  }

  // True when the decoder has not read past its input (a well-formed stream never does).
  bool ok() const { return pos_ <= in_.size(); }

 private:
  uint32_t NextByte() {
    uint32_t b = pos_ < in_.size() ? static_cast<uint8_t>(in_[pos_]) : 0;
    ++pos_;
    return b;
  }

  std::string_view in_;
  size_t pos_ = 0;
  uint32_t code_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint32_t step_ = 1;
};

// A binary tree of adaptive bits coding a `Bits`-bit symbol.
template <int Bits>
struct BitTree {
  Prob probs[1 << Bits];
  BitTree() { std::fill_n(probs, 1 << Bits, kProbInit); }
  void Encode(RangeEncoder& rc, uint32_t symbol) {
    uint32_t node = 1;
    for (int i = Bits - 1; i >= 0; --i) {
      uint32_t bit = (symbol >> i) & 1;
      rc.Bit(probs[node], bit);
      node = (node << 1) | bit;
    }
  }
  uint32_t Decode(RangeDecoder& rc) {
    uint32_t node = 1;
    for (int i = 0; i < Bits; ++i) node = (node << 1) | rc.Bit(probs[node]);
    return node - (1u << Bits);
  }
};

// An adaptive frequency model over N symbols: each coded symbol's count grows by kIncrement, and
// all counts halve when their total passes kLimit (recent symbols weigh more). Coding uses the
// cumulative counts as of the last rebuild, which happens after 1, 2, 4, 8 and then every 16
// symbols: one division and a binary search decode a symbol (a binary tree would take log2(N)
// adaptive decisions), and the counts are summed once per 16 symbols instead of every time.
template <int N>
struct FrequencyModel {
  static_assert(N < 128);
  static constexpr uint32_t kIncrement = 32;
  static constexpr uint32_t kLimit = 1 << 13;
  static constexpr uint32_t kMaxPeriod = 16;
  // cum[s] = counts of the symbols before s; cum[N] = total; beyond N, 0xFFFF (above any
  // target), so the search below needs no bounds.
  uint16_t cum[128];
  uint16_t freq[N];
  uint32_t pending = 0, period = 1;

  FrequencyModel() {
    for (int i = 0; i < 128; ++i) cum[i] = i <= N ? static_cast<uint16_t>(i) : uint16_t{0xFFFF};
    std::fill_n(freq, N, uint16_t{1});
  }

  void Encode(RangeEncoder& rc, uint32_t symbol) {
    rc.Symbol(cum[symbol], cum[symbol + 1] - cum[symbol], cum[N]);
    Update(symbol);
  }
  uint32_t Decode(RangeDecoder& rc) {
    uint32_t target = rc.Target(cum[N]);
    // The last s with cum[s] <= target (cum[0] = 0 <= target < cum[N]).
    uint32_t s = 0;
    for (uint32_t step = 64; step > 0; step >>= 1) {
      if (cum[s + step] <= target) s += step;
    }
    rc.Consume(cum[s], cum[s + 1] - cum[s]);
    Update(s);
    return s;
  }

 private:
  void Update(uint32_t s) {
    freq[s] = static_cast<uint16_t>(freq[s] + kIncrement);
    if (++pending < period) return;
    pending = 0;
    if (period < kMaxPeriod) period *= 2;
    uint32_t total = 0;
    for (int i = 0; i < N; ++i) total += freq[i];
    bool halve = total > kLimit;
    uint16_t sum = 0;
    for (int i = 0; i < N; ++i) {
      if (halve) freq[i] = static_cast<uint16_t>((freq[i] + 1) / 2);
      sum = static_cast<uint16_t>(sum + freq[i]);
      cum[i + 1] = sum;
    }
  }
};

}  // namespace vigil::storage::encoding
