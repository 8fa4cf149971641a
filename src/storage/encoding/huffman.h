// A bit stream and a canonical, length-limited Huffman code over small alphabets: the fast path
// of the block encoding (docs/storage-format.md, "Integer bodies"). A decoder peeks kMaxCodeBits
// bits and finds symbol and code length in one table lookup, then reads raw bits: a handful of
// instructions a value, where the adaptive range coder spends hundreds.
//
// Bits are written least significant first; codes are stored bit-reversed so the low bits of the
// stream index the decoding table. The reader never reads outside its input (past the end it
// sees zero bits and ok() turns false).
//
// Value types; not thread-safe.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::storage::encoding {

class BitWriter {
 public:
  explicit BitWriter(std::string& out) : out_(out) {}

  // The low `count` (<= 64) bits of `bits`.
  void Put(uint64_t bits, int count) {
    if (count > 32) {
      Put(bits & 0xFFFFFFFFu, 32);
      Put(bits >> 32, count - 32);
      return;
    }
    if (count < 64) bits &= (uint64_t{1} << count) - 1;
    acc_ |= bits << filled_;
    filled_ += count;
    while (filled_ >= 8) {
      out_.push_back(static_cast<char>(acc_ & 0xFF));
      acc_ >>= 8;
      filled_ -= 8;
    }
  }
  // Pads the last byte with zeros.
  void Finish() {
    if (filled_ > 0) out_.push_back(static_cast<char>(acc_ & 0xFF));
    acc_ = 0;
    filled_ = 0;
  }

 private:
  std::string& out_;
  uint64_t acc_ = 0;
  int filled_ = 0;
};

class BitReader {
 public:
  explicit BitReader(std::string_view in) : in_(in) {}

  // The next `count` (<= 56) bits, without consuming them.
  uint64_t Peek(int count) {
    if (filled_ < count) Refill();
    return acc_ & ((uint64_t{1} << count) - 1);
  }
  void Skip(int count) {
    acc_ >>= count;
    filled_ -= count;
    consumed_ += static_cast<size_t>(count);
  }
  // The next `count` (<= 64) bits.
  uint64_t Get(int count) {
    if (count > 56) {
      uint64_t low = Get(32);
      return low | (Get(count - 32) << 32);
    }
    if (count == 0) return 0;
    uint64_t v = Peek(count);
    Skip(count);
    return v;
  }
  // True when nothing was read past the input.
  bool ok() const { return consumed_ <= in_.size() * 8; }

 private:
  void Refill() {
    if constexpr (std::endian::native == std::endian::little) {
      if (pos_ + 8 <= in_.size()) {
        // One unaligned load tops the accumulator up to 56..63 bits.
        uint64_t word;
        std::memcpy(&word, in_.data() + pos_, 8);
        acc_ |= word << filled_;
        int bytes = (63 - filled_) >> 3;
        pos_ += static_cast<size_t>(bytes);
        filled_ += bytes * 8;
        return;
      }
    }
    // Whole bytes while at least one fits under 64 bits.
    while (filled_ <= 56) {
      uint64_t b = pos_ < in_.size() ? static_cast<uint8_t>(in_[pos_]) : 0;
      ++pos_;
      acc_ |= b << filled_;
      filled_ += 8;
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
  uint64_t acc_ = 0;
  int filled_ = 0;
  size_t consumed_ = 0;
};

// A canonical Huffman code over symbols 0..kSymbols-1 with codes of at most kMaxCodeBits.
class HuffmanCode {
 public:
  static constexpr int kSymbols = 130;
  static constexpr int kMaxCodeBits = 11;

  // From symbol counts (an absent symbol gets no code).
  void Build(const std::array<uint32_t, kSymbols>& counts);
  // The code lengths, as the decoder reads them back.
  void WriteTable(BitWriter& out) const;
  void Encode(BitWriter& out, uint32_t symbol) const { out.Put(codes_[symbol], lengths_[symbol]); }
  int length(uint32_t symbol) const { return lengths_[symbol]; }

 private:
  std::array<uint8_t, kSymbols> lengths_{};
  std::array<uint16_t, kSymbols> codes_{};  // bit-reversed
};

class HuffmanDecoder {
 public:
  // False on a malformed table.
  bool ReadTable(BitReader& in);
  // Returns the symbol (and consumes its code).
  uint32_t Decode(BitReader& in) {
    uint16_t e = table_[in.Peek(bits_)];
    in.Skip(e & 0xF);
    return e >> 4;
  }

 private:
  // Indexed by the next `bits_` (the longest code) bits: symbol << 4 | code length.
  int bits_ = 1;
  std::array<uint16_t, 1 << HuffmanCode::kMaxCodeBits> table_;
};

// Integer sequences (zigzagged deltas) as Huffman-coded (bit length, first bit under the leading
// one) symbols followed by the remaining bits raw.
void EncodeIntegers(BitWriter& out, const uint64_t* values, size_t n);
bool DecodeIntegers(BitReader& in, size_t n, uint64_t* values);

}  // namespace vigil::storage::encoding
