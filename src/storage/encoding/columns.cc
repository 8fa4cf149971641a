#include "storage/encoding/columns.h"

#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

namespace vigil::storage::encoding {
namespace {

enum Mode : uint32_t { kConst = 0, kDecimal = 1, kXor = 2 };

constexpr int kMaxScale = 15;
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53
constexpr int64_t kMaxUlps = 1 << 20;

constexpr double kPow10[kMaxScale + 1] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                          1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

// Doubles in the order of their values as integers (a bijection; -0 sorts just below +0), so a
// distance in ULPs is a difference.
int64_t Ordered(double v) {
  uint64_t u = std::bit_cast<uint64_t>(v);
  if (u >> 63) return -static_cast<int64_t>(u & ~(1ULL << 63)) - 1;
  return static_cast<int64_t>(u);
}
double FromOrdered(int64_t o) {
  if (o >= 0) return std::bit_cast<double>(static_cast<uint64_t>(o));
  return std::bit_cast<double>(static_cast<uint64_t>(-(o + 1)) | (1ULL << 63));
}

int BitLength(uint64_t v) { return 64 - std::countl_zero(v); }

struct DecimalPlan {
  bool ok = false;
  int scale = 0;
  bool second_order = false;
  bool exceptions = false;
  double cost = std::numeric_limits<double>::infinity();
};

// Estimated bits of the decimal mode at `scale` (infinite when the values do not fit it).
DecimalPlan PlanDecimal(const double* v, size_t n, int scale) {
  DecimalPlan plan;
  plan.scale = scale;
  const double p = kPow10[scale];
  double delta_bits = 0, dod_bits = 0, exception_bits = 0;
  size_t exceptions = 0;
  int64_t prev = 0, prev_delta = 0;
  for (size_t i = 0; i < n; ++i) {
    double x = v[i] * p;
    if (!(std::fabs(x) < kMaxExactInteger)) return plan;
    int64_t r = static_cast<int64_t>(std::nearbyint(x));
    int64_t off = Ordered(v[i]) - Ordered(static_cast<double>(r) / p);
    if (off > kMaxUlps || off < -kMaxUlps) return plan;
    if (off != 0) {
      ++exceptions;
      exception_bits += 4 + BitLength(ZigZag(off));
    }
    if (i > 0) {
      int64_t d = r - prev;
      delta_bits += 1.5 + BitLength(ZigZag(d));
      dod_bits += 1.5 + BitLength(ZigZag(d - prev_delta));
      prev_delta = d;
    }
    prev = r;
  }
  plan.ok = true;
  plan.exceptions = exceptions > 0;
  plan.second_order = dod_bits < delta_bits;
  plan.cost = std::min(delta_bits, dod_bits) + exception_bits +
              (exceptions > 0 ? 0.3 * static_cast<double>(n) : 0);
  return plan;
}

double XorCost(const double* v, size_t n) {
  double bits = 64;
  for (size_t i = 1; i < n; ++i) {
    uint64_t x = std::bit_cast<uint64_t>(v[i]) ^ std::bit_cast<uint64_t>(v[i - 1]);
    if (x == 0) {
      bits += 1;
    } else {
      bits += 10 + (64 - std::countl_zero(x) - std::countr_zero(x));
    }
  }
  return bits;
}

// Header and ULP corrections in the range coder; the integers in the bit stream: the first value
// (and, for second order, the first delta) as EncodeOnce-style length + bits, then the zigzagged
// deltas (or deltas of deltas) through EncodeIntegers.
void EncodeDecimal(RangeEncoder& rc, BitWriter& bits, const double* v, size_t n,
                   const DecimalPlan& plan) {
  rc.Direct(static_cast<uint64_t>(plan.scale), 4);
  rc.Direct(plan.second_order ? 1 : 0, 1);
  rc.Direct(plan.exceptions ? 1 : 0, 1);
  const double p = kPow10[plan.scale];
  std::vector<uint64_t> body;
  body.reserve(n);
  IntModel ulps;
  Prob has_ulps[2] = {kProbInit, kProbInit};
  uint32_t prev_exception = 0;
  int64_t prev = 0, prev_delta = 0;
  auto put_once = [&bits](uint64_t z) {
    int len = BitLength(z);
    bits.Put(static_cast<uint64_t>(len), 7);
    if (len > 1) bits.Put(z, len - 1);
  };
  for (size_t i = 0; i < n; ++i) {
    int64_t r = static_cast<int64_t>(std::nearbyint(v[i] * p));
    if (i == 0) {
      put_once(ZigZag(r));
    } else if (i == 1 && plan.second_order) {
      prev_delta = r - prev;
      put_once(ZigZag(prev_delta));
    } else {
      int64_t d = r - prev;
      body.push_back(ZigZag(plan.second_order ? d - prev_delta : d));
      prev_delta = d;
    }
    prev = r;
    if (plan.exceptions) {
      int64_t off = Ordered(v[i]) - Ordered(static_cast<double>(r) / p);
      uint32_t is_exception = off != 0 ? 1 : 0;
      rc.Bit(has_ulps[prev_exception], is_exception);
      if (is_exception) ulps.Encode(rc, ZigZag(off) - 1);
      prev_exception = is_exception;
    }
  }
  EncodeIntegers(bits, body.data(), body.size());
}

bool DecodeDecimal(RangeDecoder& rc, BitReader& bits, size_t n, double* out) {
  int scale = static_cast<int>(rc.Direct(4));
  bool second_order = rc.Direct(1) != 0;
  bool exceptions = rc.Direct(1) != 0;
  if (scale > kMaxScale) return false;
  const double p = kPow10[scale];
  // ULP corrections first (range coder), values after (bit stream).
  std::vector<int64_t> offsets;
  if (exceptions) {
    offsets.assign(n, 0);
    IntModel ulps;
    Prob has_ulps[2] = {kProbInit, kProbInit};
    uint32_t prev_exception = 0;
    for (size_t i = 0; i < n; ++i) {
      uint32_t is_exception = rc.Bit(has_ulps[prev_exception]);
      prev_exception = is_exception;
      if (!is_exception) continue;
      uint64_t z;
      if (!ulps.Decode(rc, z) || z == std::numeric_limits<uint64_t>::max()) return false;
      int64_t off = UnZigZag(z + 1);
      if (off > kMaxUlps || off < -kMaxUlps) return false;
      offsets[i] = off;
    }
  }
  auto get_once = [&bits](uint64_t& z) {
    int len = static_cast<int>(bits.Get(7));
    if (len > 64) return false;
    z = len == 0 ? 0 : 1;
    if (len > 1) z = (z << (len - 1)) | bits.Get(len - 1);
    return true;
  };
  size_t head = std::min<size_t>(n, second_order ? 2 : 1);
  uint64_t first[2] = {0, 0};
  for (size_t i = 0; i < head; ++i) {
    if (!get_once(first[i])) return false;
  }
  // The body decodes into `out` reinterpreted as integers, then becomes doubles in place.
  static_assert(sizeof(double) == sizeof(uint64_t));
  uint64_t* z = reinterpret_cast<uint64_t*>(out);
  if (!DecodeIntegers(bits, n - head, z + head)) return false;
  int64_t prev = 0, prev_delta = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t r;
    if (i < head) {
      int64_t d = UnZigZag(first[i]);
      if (i == 0) {
        r = d;
      } else {
        prev_delta = d;
        r = static_cast<int64_t>(static_cast<uint64_t>(prev) + static_cast<uint64_t>(d));
      }
    } else {
      int64_t d = UnZigZag(z[i]);
      if (second_order) d = static_cast<int64_t>(static_cast<uint64_t>(d) + static_cast<uint64_t>(prev_delta));
      prev_delta = d;
      r = static_cast<int64_t>(static_cast<uint64_t>(prev) + static_cast<uint64_t>(d));
    }
    prev = r;
    double value = static_cast<double>(r) / p;
    if (exceptions && offsets[i] != 0) value = FromOrdered(Ordered(value) + offsets[i]);
    out[i] = value;
  }
  return true;
}

void EncodeXor(RangeEncoder& rc, const double* v, size_t n) {
  BitTree<6> leading, length;
  Prob same = kProbInit;
  uint64_t prev = std::bit_cast<uint64_t>(v[0]);
  rc.Direct(prev, 64);
  for (size_t i = 1; i < n; ++i) {
    uint64_t cur = std::bit_cast<uint64_t>(v[i]);
    uint64_t x = cur ^ prev;
    prev = cur;
    rc.Bit(same, x == 0 ? 0 : 1);
    if (x == 0) continue;
    int lz = std::countl_zero(x);
    int tz = std::countr_zero(x);
    int m = 64 - lz - tz;  // 1..64: the significant bits, both ends 1
    leading.Encode(rc, static_cast<uint32_t>(lz));
    length.Encode(rc, static_cast<uint32_t>(m - 1));
    if (m >= 2) rc.Direct(x >> (tz + 1), m - 2);
  }
}

bool DecodeXor(RangeDecoder& rc, size_t n, double* out) {
  BitTree<6> leading, length;
  Prob same = kProbInit;
  uint64_t prev = rc.Direct(64);
  out[0] = std::bit_cast<double>(prev);
  for (size_t i = 1; i < n; ++i) {
    if (rc.Bit(same) != 0) {
      int lz = static_cast<int>(leading.Decode(rc));
      int m = static_cast<int>(length.Decode(rc)) + 1;
      int tz = 64 - lz - m;
      if (tz < 0) return false;
      uint64_t x = 1;
      if (m >= 2) x = ((1ULL << (m - 2)) << 1) | (rc.Direct(m - 2) << 1) | 1;
      prev ^= x << tz;
    }
    out[i] = std::bit_cast<double>(prev);
  }
  return true;
}

}  // namespace

void EncodeOnce(RangeEncoder& rc, uint64_t v) {
  int len = BitLength(v);
  rc.Direct(static_cast<uint64_t>(len), 7);
  if (len > 1) rc.Direct(v, len - 1);  // below the leading one
}

bool DecodeOnce(RangeDecoder& rc, uint64_t& v) {
  int len = static_cast<int>(rc.Direct(7));
  if (len > 64) return false;
  v = len == 0 ? 0 : 1;
  if (len > 1) v = (v << (len - 1)) | rc.Direct(len - 1);
  return true;
}

void EncodeDoubles(RangeEncoder& rc, BitWriter& bits, const double* v, size_t n) {
  if (n == 0) return;
  bool constant = true;
  for (size_t i = 1; i < n && constant; ++i) {
    constant = std::bit_cast<uint64_t>(v[i]) == std::bit_cast<uint64_t>(v[0]);
  }
  if (constant) {
    rc.Direct(kConst, 2);
    rc.Direct(std::bit_cast<uint64_t>(v[0]), 64);
    return;
  }
  DecimalPlan best;
  for (int scale = 0; scale <= kMaxScale; ++scale) {
    DecimalPlan plan = PlanDecimal(v, n, scale);
    if (plan.ok && plan.cost < best.cost) best = plan;
    // A larger scale only makes the integers longer once every value is exact; values that stay
    // off by ULPs two scales past the best one are results of float arithmetic, which more
    // digits do not fix until the integers are as long as the doubles.
    if (plan.ok && (!plan.exceptions || plan.cost > 2 * best.cost)) break;
    if (best.ok && scale >= best.scale + 2) break;
  }
  if (best.ok && best.cost <= XorCost(v, n)) {
    rc.Direct(kDecimal, 2);
    EncodeDecimal(rc, bits, v, n, best);
    return;
  }
  rc.Direct(kXor, 2);
  EncodeXor(rc, v, n);
}

bool DecodeDoubles(RangeDecoder& rc, BitReader& bits, size_t n, double* out) {
  if (n == 0) return true;
  switch (rc.Direct(2)) {
    case kConst: {
      double c = std::bit_cast<double>(rc.Direct(64));
      for (size_t i = 0; i < n; ++i) out[i] = c;
      return true;
    }
    case kDecimal:
      return DecodeDecimal(rc, bits, n, out);
    case kXor:
      return DecodeXor(rc, n, out);
    default:
      return false;
  }
}

}  // namespace vigil::storage::encoding
