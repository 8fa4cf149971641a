// Column codecs of the block encoding (docs/storage-format.md, "Columns"): integers and doubles
// coded through the adaptive range coder.
//
// Integers (IntModel): the bit length of the value (0..64) through an adaptive frequency model,
// the three bits under the leading one through an adaptive bit tree chosen by that length, the
// rest as direct bits.
//
// Doubles (EncodeDoubles): one of three modes, chosen per column by an estimate of its cost:
//   const    every value bit-identical: the value once;
//   decimal  the values are decimals with at most k (0..15) fractional digits: each is written as
//            the integer r = round(v·10^k) — its first value, then deltas (or deltas of deltas),
//            Huffman-coded in the bit stream (huffman.h) — plus, for values that are not exactly
//            the double nearest to r/10^k (results of float arithmetic such as
//            41.361999999999995), their distance from it in units in the last place, range-coded.
//            Decoding computes r / 10^k, which IEEE division rounds exactly as a decimal parser
//            would, then steps the ULPs: the round trip is bit-exact;
//   xor      Gorilla's XOR with the previous value (leading zeros, significant length, bits).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "storage/encoding/huffman.h"
#include "storage/encoding/range_coder.h"

namespace vigil::storage::encoding {

struct IntModel {
  FrequencyModel<65> length;
  Prob mantissa[65][7];

  IntModel() { std::fill_n(&mantissa[0][0], 65 * 7, kProbInit); }
  void Encode(RangeEncoder& rc, uint64_t v);
  // False when the coded length is impossible (corrupt input).
  bool Decode(RangeDecoder& rc, uint64_t& v);
};

// A value coded once (no model to learn): its bit length in 7 direct bits, then its bits.
void EncodeOnce(RangeEncoder& rc, uint64_t v);
bool DecodeOnce(RangeDecoder& rc, uint64_t& v);

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

inline void IntModel::Encode(RangeEncoder& rc, uint64_t v) {
  int len = 64 - std::countl_zero(v);
  length.Encode(rc, static_cast<uint32_t>(len));
  // Up to three bits under the leading one through an adaptive tree per length.
  uint32_t node = 1;
  int top = std::min(len - 1, 3);
  for (int i = 0; i < top; ++i) {
    uint32_t bit = static_cast<uint32_t>((v >> (len - 2 - i)) & 1);
    rc.Bit(mantissa[len][node - 1], bit);
    node = (node << 1) | bit;
  }
  if (len - 1 > 3) rc.Direct(v, len - 4);
}

inline bool IntModel::Decode(RangeDecoder& rc, uint64_t& v) {
  int len = static_cast<int>(length.Decode(rc));
  if (len > 64) return false;
  if (len == 0) {
    v = 0;
    return true;
  }
  uint32_t node = 1;
  int top = std::min(len - 1, 3);
  v = 1;
  for (int i = 0; i < top; ++i) {
    uint32_t bit = rc.Bit(mantissa[len][node - 1]);
    node = (node << 1) | bit;
    v = (v << 1) | bit;
  }
  if (len - 1 > 3) v = (v << (len - 4)) | rc.Direct(len - 4);
  return true;
}

// Each column writes its mode and parameters to the range coder and, in decimal mode, its
// integers to the bit stream `bits` (the fast part to decode).
void EncodeDoubles(RangeEncoder& rc, BitWriter& bits, const double* values, size_t n);
bool DecodeDoubles(RangeDecoder& rc, BitReader& bits, size_t n, double* out);

}  // namespace vigil::storage::encoding
