#include "storage/encoding/block.h"

#include <algorithm>
#include <bit>

#include "storage/encoding/columns.h"
#include "storage/encoding/huffman.h"
#include "storage/encoding/range_coder.h"

namespace vigil::storage::encoding {
namespace {

constexpr uint8_t kVersion = 1;
constexpr uint32_t kMaxBuckets = 1u << 20;

enum Flags : uint8_t {
  kDense = 1,          // indices are consecutive
  kCountsOne = 2,      // every SampleCount is 1
  kAllSingle = 4,      // every bucket has Min == Max and Sum == Min × SampleCount
  kAllImplied = 8,     // every distribution is the one value Min, SampleCount times
};

bool Same(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

// Min == Max and Sum == Min × SampleCount: the bucket is one value (repeated), stored once.
bool IsSingle(const Aggregate& a) {
  return Same(a.minimum, a.maximum) && Same(a.sum, a.minimum * a.sample_count);
}

bool IsImplied(const Aggregate& a) {
  return a.values_complete && a.values.IsSingle(a.minimum, a.sample_count);
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    uint8_t b = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace

void EncodeBlock(const std::vector<BlockBucket>& buckets, std::string& out) {
  const size_t n = buckets.size();
  uint8_t flags = kDense | kCountsOne | kAllSingle | kAllImplied;
  for (size_t i = 0; i < n; ++i) {
    const Aggregate& a = buckets[i].stats;
    if (i > 0 && buckets[i].index != buckets[i - 1].index + 1) flags &= ~kDense;
    if (a.sample_count != 1) flags &= ~kCountsOne;
    if (!IsSingle(a)) flags &= ~kAllSingle;
    if (!IsImplied(a)) flags &= ~kAllImplied;
  }
  out.push_back(static_cast<char>(kVersion));
  PutVarint(out, n);
  out.push_back(static_cast<char>(flags));

  std::string rc_bytes, bit_bytes;
  std::string distributions;
  {
    RangeEncoder rc(rc_bytes);
    BitWriter bits(bit_bytes);
    EncodeOnce(rc, n > 0 ? buckets[0].index : 0);
    if (!(flags & kDense)) {
      IntModel gap_model;
      int64_t prev_gap = 1;
      for (size_t i = 1; i < n; ++i) {
        int64_t gap = static_cast<int64_t>(buckets[i].index) - buckets[i - 1].index;
        gap_model.Encode(rc, ZigZag(gap - prev_gap));
        prev_gap = gap;
      }
    }
    std::vector<double> column(n);
    if (!(flags & kCountsOne)) {
      for (size_t i = 0; i < n; ++i) column[i] = buckets[i].stats.sample_count;
      EncodeDoubles(rc, bits, column.data(), n);
    }
    for (size_t i = 0; i < n; ++i) column[i] = buckets[i].stats.minimum;
    EncodeDoubles(rc, bits, column.data(), n);
    if (!(flags & kAllSingle)) {
      Prob single[2] = {kProbInit, kProbInit};
      uint32_t prev = 1;
      column.clear();
      std::vector<double> sums;
      for (size_t i = 0; i < n; ++i) {
        uint32_t s = IsSingle(buckets[i].stats) ? 1 : 0;
        rc.Bit(single[prev], s);
        prev = s;
        if (!s) {
          column.push_back(buckets[i].stats.maximum);
          sums.push_back(buckets[i].stats.sum);
        }
      }
      EncodeDoubles(rc, bits, column.data(), column.size());
      EncodeDoubles(rc, bits, sums.data(), sums.size());
    }
    if (!(flags & kAllImplied)) {
      Prob implied[2] = {kProbInit, kProbInit}, complete = kProbInit, present = kProbInit;
      uint32_t prev = 1;
      for (size_t i = 0; i < n; ++i) {
        const Aggregate& a = buckets[i].stats;
        uint32_t imp = IsImplied(a) ? 1 : 0;
        rc.Bit(implied[prev], imp);
        prev = imp;
        if (imp) continue;
        rc.Bit(complete, a.values_complete ? 1 : 0);
        rc.Bit(present, a.values.empty() ? 0 : 1);
        if (!a.values.empty()) a.values.AppendTo(distributions);
      }
    }
    rc.Finish();
    bits.Finish();
  }
  PutVarint(out, rc_bytes.size());
  out += rc_bytes;
  PutVarint(out, bit_bytes.size());
  out += bit_bytes;
  out += distributions;
}

namespace {

// Decodes into out[base, base + n) (appended here); `set_index(element, index)` places each.
template <typename T, typename SetIndex>
bool DecodeInto(std::string_view in, uint32_t max_index, std::vector<T>& all, SetIndex set_index) {
  const size_t base = all.size();
  if (in.size() < 3 || static_cast<uint8_t>(in[0]) != kVersion) return false;
  in.remove_prefix(1);
  uint64_t n, rc_len;
  if (!GetVarint(in, n) || n == 0 || n > max_index || n > kMaxBuckets || in.empty()) return false;
  uint8_t flags = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  if (!GetVarint(in, rc_len) || rc_len > in.size()) return false;
  RangeDecoder rc(in.substr(0, rc_len));
  in.remove_prefix(rc_len);
  uint64_t bit_len;
  if (!GetVarint(in, bit_len) || bit_len > in.size()) return false;
  BitReader bits(in.substr(0, bit_len));
  std::string_view distributions = in.substr(bit_len);

  all.resize(base + n);
  T* out = all.data() + base;
  uint64_t first;
  if (!DecodeOnce(rc, first) || first >= max_index) return false;
  set_index(out[0], static_cast<uint32_t>(first));
  if (flags & kDense) {
    if (first + n > max_index) return false;
    for (size_t i = 1; i < n; ++i) set_index(out[i], static_cast<uint32_t>(first + i));
  } else {
    IntModel gap_model;
    int64_t prev_gap = 1;
    int64_t index = static_cast<int64_t>(first);
    for (size_t i = 1; i < n; ++i) {
      uint64_t z;
      if (!gap_model.Decode(rc, z)) return false;
      int64_t gap = prev_gap + UnZigZag(z);
      if (gap < 1 || gap > max_index) return false;
      index += gap;
      if (index >= max_index) return false;
      set_index(out[i], static_cast<uint32_t>(index));
      prev_gap = gap;
    }
  }
  std::vector<double> column(n);
  constexpr uint8_t kPlain = kCountsOne | kAllSingle | kAllImplied;
  if ((flags & kPlain) == kPlain) {
    // The common block (one sample a bucket): every field from the one column, in one pass.
    if (!DecodeDoubles(rc, bits, n, column.data())) return false;
    for (size_t i = 0; i < n; ++i) {
      Aggregate& a = out[i].stats;
      a.sample_count = 1;
      a.minimum = a.maximum = a.sum = column[i];
      a.values.SetSingle(column[i], 1);
    }
    return rc.ok() && bits.ok() && distributions.empty();
  }
  if (flags & kCountsOne) {
    for (size_t i = 0; i < n; ++i) out[i].stats.sample_count = 1;
  } else {
    if (!DecodeDoubles(rc, bits, n, column.data())) return false;
    for (size_t i = 0; i < n; ++i) out[i].stats.sample_count = column[i];
  }
  if (!DecodeDoubles(rc, bits, n, column.data())) return false;
  for (size_t i = 0; i < n; ++i) {
    Aggregate& a = out[i].stats;
    a.minimum = column[i];
    a.maximum = column[i];
    a.sum = column[i] * a.sample_count;
  }
  if (!(flags & kAllSingle)) {
    Prob single[2] = {kProbInit, kProbInit};
    uint32_t prev = 1;
    std::vector<size_t> others;
    for (size_t i = 0; i < n; ++i) {
      prev = rc.Bit(single[prev]);
      if (!prev) others.push_back(i);
    }
    std::vector<double> maxes(others.size()), sums(others.size());
    if (!DecodeDoubles(rc, bits, others.size(), maxes.data()) ||
        !DecodeDoubles(rc, bits, others.size(), sums.data())) {
      return false;
    }
    for (size_t k = 0; k < others.size(); ++k) {
      out[others[k]].stats.maximum = maxes[k];
      out[others[k]].stats.sum = sums[k];
    }
  }
  if (flags & kAllImplied) {
    for (size_t i = 0; i < n; ++i) out[i].stats.values.SetSingle(out[i].stats.minimum, out[i].stats.sample_count);
  } else {
    Prob implied[2] = {kProbInit, kProbInit}, complete = kProbInit, present = kProbInit;
    uint32_t prev = 1;
    for (size_t i = 0; i < n; ++i) {
      T& b = out[i];
      prev = rc.Bit(implied[prev]);
      if (prev) {
        b.stats.values.SetSingle(b.stats.minimum, b.stats.sample_count);
        continue;
      }
      b.stats.values_complete = rc.Bit(complete) != 0;
      if (rc.Bit(present) && !Distribution::Decode(distributions, b.stats.values)) return false;
    }
  }
  return rc.ok() && bits.ok() && distributions.empty();
}

}  // namespace

bool DecodeBlock(std::string_view in, uint32_t max_index, std::vector<BlockBucket>& out) {
  out.clear();
  return DecodeInto(in, max_index, out, [](BlockBucket& b, uint32_t i) { b.index = i; });
}

bool DecodeBlockAppend(std::string_view in, uint32_t max_index, int64_t block_start,
                       int64_t bucket_seconds, std::vector<Bucket>& out) {
  size_t before = out.size();
  bool ok = DecodeInto(in, max_index, out, [&](Bucket& b, uint32_t i) {
    b.start = Timestamp::FromSeconds(block_start + int64_t{i} * bucket_seconds);
  });
  if (!ok) out.resize(before);
  return ok;
}

void MergeBuckets(std::vector<BlockBucket>& into, std::vector<BlockBucket>&& from) {
  if (from.empty()) return;
  if (into.empty()) {
    into = std::move(from);
    return;
  }
  // Appending (the common case: later data) needs no reordering.
  if (from.front().index > into.back().index) {
    into.reserve(into.size() + from.size());
    for (auto& b : from) into.push_back(std::move(b));
    return;
  }
  std::vector<BlockBucket> merged;
  merged.reserve(into.size() + from.size());
  size_t i = 0, j = 0;
  while (i < into.size() || j < from.size()) {
    if (j == from.size() || (i < into.size() && into[i].index < from[j].index)) {
      merged.push_back(std::move(into[i++]));
    } else if (i == into.size() || from[j].index < into[i].index) {
      merged.push_back(std::move(from[j++]));
    } else {
      merged.push_back(std::move(into[i++]));
      merged.back().stats.Merge(from[j++].stats);
    }
  }
  into.swap(merged);
}

}  // namespace vigil::storage::encoding
