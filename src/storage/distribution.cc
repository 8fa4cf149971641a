#include "vigil/storage/distribution.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace vigil::storage {
namespace {

const double kGamma = (1 + Distribution::kRelativeAccuracy) / (1 - Distribution::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);

// The bucket of a positive magnitude: the smallest i with v <= γ^i.
int32_t IndexOf(double magnitude) {
  return static_cast<int32_t>(std::ceil(std::log(magnitude) / kLogGamma));
}

// The representative of bucket i, within α of every value in (γ^(i-1), γ^i].
double ValueOf(int32_t index) { return 2 * std::pow(kGamma, index) / (kGamma + 1); }

using Buckets = std::vector<std::pair<int32_t, double>>;

void AddToBuckets(Buckets& b, int32_t index, double count) {
  auto it = std::lower_bound(b.begin(), b.end(), index,
                             [](const auto& e, int32_t i) { return e.first < i; });
  if (it != b.end() && it->first == index) {
    it->second += count;
  } else {
    b.insert(it, {index, count});
  }
}

Buckets MergeBuckets(const Buckets& a, const Buckets& b) {
  Buckets out;
  out.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].first < a[i].first) {
      out.push_back(b[j++]);
    } else {
      out.push_back({a[i].first, a[i].second + b[j].second});
      ++i;
      ++j;
    }
  }
  return out;
}

// Varints and doubles for the binary form.
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
uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
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
// Counts are almost always whole numbers: a varint then; otherwise a tagged double.
void PutCount(std::string& out, double c) {
  if (c >= 0 && c < 9.0e15 && c == std::floor(c)) {
    PutVarint(out, static_cast<uint64_t>(c) << 1);
  } else {
    PutVarint(out, 1);
    PutDouble(out, c);
  }
}
bool GetCount(std::string_view& in, double& c) {
  uint64_t v;
  if (!GetVarint(in, v)) return false;
  if (v == 1) return GetDouble(in, c) && std::isfinite(c) && c > 0;
  if (v & 1) return false;
  c = static_cast<double>(v >> 1);
  return c > 0;
}

constexpr uint8_t kFormExact = 1;
constexpr uint8_t kFormSketch = 2;

}  // namespace

Distribution::Distribution(const Distribution& o)
    : total_(o.total_),
      has_one_(o.has_one_),
      one_(o.one_),
      exact_(o.exact_),
      sketch_(o.sketch_ ? std::make_unique<Sketch>(*o.sketch_) : nullptr) {}

Distribution& Distribution::operator=(const Distribution& o) {
  if (this != &o) {
    total_ = o.total_;
    has_one_ = o.has_one_;
    one_ = o.one_;
    exact_ = o.exact_;
    sketch_ = o.sketch_ ? std::make_unique<Sketch>(*o.sketch_) : nullptr;
  }
  return *this;
}

void Distribution::Add(double value, double count) {
  if (!(count > 0) || !std::isfinite(value)) return;
  total_ += count;
  if (sketch_) {
    AddToSketch(value, count);
    return;
  }
  if (exact_.empty()) {
    if (!has_one_) {
      one_ = {value, count};
      has_one_ = true;
      return;
    }
    if (one_.value == value) {
      one_.count += count;
      return;
    }
    exact_.reserve(4);
    exact_.push_back(one_);
    has_one_ = false;
  }
  auto it = std::lower_bound(exact_.begin(), exact_.end(), value,
                             [](const Point& p, double v) { return p.value < v; });
  if (it != exact_.end() && it->value == value) {
    it->count += count;
    return;
  }
  exact_.insert(it, {value, count});
  if (exact_.size() > kMaxExactValues) ToSketch();
}

bool Distribution::IsSingle(double value, double count) const {
  return !sketch_ && has_one_ && std::bit_cast<uint64_t>(one_.value) == std::bit_cast<uint64_t>(value) &&
         one_.count == count;
}

void Distribution::AddToSketch(double value, double count) {
  if (value == 0) {
    sketch_->zero_count += count;
  } else if (value > 0) {
    AddToBuckets(sketch_->positive, IndexOf(value), count);
  } else {
    AddToBuckets(sketch_->negative, IndexOf(-value), count);
  }
  CollapseIfNeeded();
}

void Distribution::ToSketch() {
  sketch_ = std::make_unique<Sketch>();
  std::vector<Point> values;
  values.swap(exact_);
  if (has_one_) values.push_back(one_);
  has_one_ = false;
  for (const auto& p : values) AddToSketch(p.value, p.count);
}

void Distribution::CollapseIfNeeded() {
  // Collapse the lowest buckets: the most negative values first, then the smallest positives.
  auto& positive = sketch_->positive;
  auto& negative = sketch_->negative;
  while (positive.size() + negative.size() > kMaxSketchBuckets) {
    if (negative.size() >= 2) {
      // Largest magnitudes are the lowest values: fold the last negative bucket into its neighbour.
      double c = negative.back().second;
      negative.pop_back();
      negative.back().second += c;
    } else if (positive.size() >= 2) {
      double c = positive.front().second;
      positive.erase(positive.begin());
      positive.front().second += c;
    } else {
      break;
    }
  }
}

void Distribution::Merge(const Distribution& other) {
  if (other.empty()) return;
  if (empty()) {
    *this = other;
    return;
  }
  if (!sketch_ && !other.sketch_) {
    // The common cases (one side a single value) add in place, without allocating.
    if (other.has_one_) {
      double before = total_;
      Add(other.one_.value, other.one_.count);
      total_ = before + other.total_;
      return;
    }
    if (has_one_) {
      Point p = one_;
      double before = total_;
      *this = other;
      Add(p.value, p.count);
      total_ = before + other.total_;
      return;
    }
    std::vector<Point> merged;
    merged.reserve(exact_.size() + other.exact_.size());
    std::merge(exact_.begin(), exact_.end(), other.exact_.begin(), other.exact_.end(),
               std::back_inserter(merged), [](const Point& a, const Point& b) { return a.value < b.value; });
    std::vector<Point> unique;
    unique.reserve(merged.size());
    for (const auto& p : merged) {
      if (!unique.empty() && unique.back().value == p.value) {
        unique.back().count += p.count;
      } else {
        unique.push_back(p);
      }
    }
    exact_.swap(unique);
    total_ += other.total_;
    if (exact_.size() > kMaxExactValues) ToSketch();
    return;
  }
  if (!sketch_) ToSketch();
  total_ += other.total_;
  if (!other.sketch_) {
    for (size_t k = 0; k < other.ExactSize(); ++k) {
      AddToSketch(other.ExactData()[k].value, other.ExactData()[k].count);
    }
    return;
  }
  sketch_->positive = MergeBuckets(sketch_->positive, other.sketch_->positive);
  sketch_->negative = MergeBuckets(sketch_->negative, other.sketch_->negative);
  sketch_->zero_count += other.sketch_->zero_count;
  CollapseIfNeeded();
}

std::vector<Distribution::Point> Distribution::Points() const {
  if (!sketch_) return std::vector<Point>(ExactData(), ExactData() + ExactSize());
  std::vector<Point> out;
  const Sketch& sk = *sketch_;
  out.reserve(sk.positive.size() + sk.negative.size() + 1);
  for (auto it = sk.negative.rbegin(); it != sk.negative.rend(); ++it) {
    out.push_back({-ValueOf(it->first), it->second});
  }
  if (sk.zero_count > 0) out.push_back({0.0, sk.zero_count});
  for (const auto& [i, c] : sk.positive) out.push_back({ValueOf(i), c});
  return out;
}

void Distribution::AppendTo(std::string& out) const {
  if (!sketch_) {
    out.push_back(static_cast<char>(kFormExact));
    PutVarint(out, ExactSize());
    for (size_t k = 0; k < ExactSize(); ++k) {
      PutDouble(out, ExactData()[k].value);
      PutCount(out, ExactData()[k].count);
    }
    return;
  }
  out.push_back(static_cast<char>(kFormSketch));
  PutCount(out, sketch_->zero_count > 0 ? sketch_->zero_count : 0);
  for (const Buckets* b : {&sketch_->positive, &sketch_->negative}) {
    PutVarint(out, b->size());
    int64_t prev = 0;
    for (const auto& [i, c] : *b) {
      PutVarint(out, ZigZag(static_cast<int64_t>(i) - prev));
      prev = i;
      PutCount(out, c);
    }
  }
}

bool Distribution::Decode(std::string_view& in, Distribution& out) {
  out = Distribution();
  if (in.empty()) return false;
  uint8_t form = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  if (form == kFormExact) {
    uint64_t n;
    if (!GetVarint(in, n) || n > kMaxExactValues) return false;
    out.exact_.reserve(n);
    for (uint64_t k = 0; k < n; ++k) {
      Point p;
      if (!GetDouble(in, p.value) || !GetCount(in, p.count) || !std::isfinite(p.value)) return false;
      if (!out.exact_.empty() && !(out.exact_.back().value < p.value)) return false;
      out.exact_.push_back(p);
      out.total_ += p.count;
    }
    if (out.exact_.size() == 1) {
      out.one_ = out.exact_[0];
      out.has_one_ = true;
      out.exact_.clear();
    }
    return true;
  }
  if (form != kFormSketch) return false;
  out.sketch_ = std::make_unique<Sketch>();
  uint64_t zero_tag;
  // The zero count is written with PutCount, which writes 0 as the varint 0.
  std::string_view peek = in;
  if (!GetVarint(peek, zero_tag)) return false;
  if (zero_tag == 0) {
    in = peek;
  } else if (!GetCount(in, out.sketch_->zero_count)) {
    return false;
  }
  out.total_ = out.sketch_->zero_count;
  for (Buckets* b : {&out.sketch_->positive, &out.sketch_->negative}) {
    uint64_t n;
    if (!GetVarint(in, n) || n > kMaxSketchBuckets) return false;
    int64_t prev = 0;
    for (uint64_t k = 0; k < n; ++k) {
      uint64_t delta;
      double c;
      if (!GetVarint(in, delta) || !GetCount(in, c)) return false;
      int64_t i = prev + UnZigZag(delta);
      if ((k > 0 && i <= prev) || i < INT32_MIN || i > INT32_MAX) return false;
      prev = i;
      b->push_back({static_cast<int32_t>(i), c});
      out.total_ += c;
    }
  }
  return true;
}

bool Distribution::operator==(const Distribution& o) const {
  auto same = [](const Distribution& a, const Distribution& b) {
    return a.ExactSize() == b.ExactSize() &&
           std::equal(a.ExactData(), a.ExactData() + a.ExactSize(), b.ExactData(),
                      [](const Point& x, const Point& y) {
                        return x.value == y.value && x.count == y.count;
                      });
  };
  if (total_ != o.total_ || exact() != o.exact()) return false;
  return exact() ? same(*this, o) : *sketch_ == *o.sketch_;
}

}  // namespace vigil::storage
