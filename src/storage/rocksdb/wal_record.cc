#include "storage/rocksdb/wal_record.h"

#include <bit>
#include <cstring>

namespace vigil::storage {
namespace {

// Record: varint count, then per datum:
//   varint series id | flags (bits 0-4 unit, 5 high resolution, 6 one plain sample) |
//   zigzag varint seconds minus the previous datum's |
//   one sample: the value (8, LE double);
//   otherwise: count, sum, min, max (4 × 8, LE doubles) | complete (1) | Distribution form.
constexpr uint8_t kHighResolution = 1 << 5;
constexpr uint8_t kOneSample = 1 << 6;

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

void PutDouble(std::string& out, double d) {
  char b[8];
  std::memcpy(b, &d, 8);
  out.append(b, 8);
}

bool GetDouble(std::string_view& in, double& d) {
  if (in.size() < 8) return false;
  std::memcpy(&d, in.data(), 8);
  in.remove_prefix(8);
  return true;
}

bool IsOneSample(const Aggregate& a) {
  auto same = [](double x, double y) { return std::bit_cast<uint64_t>(x) == std::bit_cast<uint64_t>(y); };
  return a.sample_count == 1 && same(a.sum, a.minimum) && same(a.minimum, a.maximum) &&
         a.values_complete && a.values.IsSingle(a.minimum, 1);
}

}  // namespace

void EncodeWalRecord(const std::vector<Datum>& data, const std::vector<uint64_t>& ids,
                     std::string& out) {
  PutVarint(out, data.size());
  int64_t prev = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const Datum& d = data[i];
    PutVarint(out, ids[i]);
    bool one = IsOneSample(d.stats);
    uint8_t flags = static_cast<uint8_t>(d.unit & 0x1f);
    if (d.high_resolution) flags |= kHighResolution;
    if (one) flags |= kOneSample;
    out.push_back(static_cast<char>(flags));
    int64_t seconds = d.timestamp.seconds();
    int64_t delta = static_cast<int64_t>(static_cast<uint64_t>(seconds) - static_cast<uint64_t>(prev));
    PutVarint(out, (static_cast<uint64_t>(delta) << 1) ^ static_cast<uint64_t>(delta >> 63));
    prev = seconds;
    if (one) {
      PutDouble(out, d.stats.minimum);
      continue;
    }
    PutDouble(out, d.stats.sample_count);
    PutDouble(out, d.stats.sum);
    PutDouble(out, d.stats.minimum);
    PutDouble(out, d.stats.maximum);
    out.push_back(d.stats.values_complete ? 1 : 0);
    d.stats.values.AppendTo(out);
  }
}

bool DecodeWalRecord(std::string_view in, std::vector<WalDatum>& out) {
  out.clear();
  uint64_t n;
  if (!GetVarint(in, n) || n > in.size()) return false;
  out.resize(n);
  int64_t prev = 0;
  for (auto& d : out) {
    uint64_t zz;
    if (!GetVarint(in, d.series) || in.empty()) return false;
    uint8_t flags = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    d.unit = flags & 0x1f;
    d.high_resolution = (flags & kHighResolution) != 0;
    if (!GetVarint(in, zz)) return false;
    int64_t delta = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
    d.seconds = static_cast<int64_t>(static_cast<uint64_t>(prev) + static_cast<uint64_t>(delta));
    prev = d.seconds;
    if (flags & kOneSample) {
      double v;
      if (!GetDouble(in, v)) return false;
      d.stats.sample_count = 1;
      d.stats.sum = d.stats.minimum = d.stats.maximum = v;
      d.stats.values.Add(v, 1);
      continue;
    }
    if (!GetDouble(in, d.stats.sample_count) || !GetDouble(in, d.stats.sum) ||
        !GetDouble(in, d.stats.minimum) || !GetDouble(in, d.stats.maximum) || in.empty()) {
      return false;
    }
    d.stats.values_complete = in[0] != 0;
    in.remove_prefix(1);
    if (!Distribution::Decode(in, d.stats.values)) return false;
  }
  return in.empty();
}

}  // namespace vigil::storage
