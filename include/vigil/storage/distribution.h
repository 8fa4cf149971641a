// Distribution: a mergeable summary of the values that landed in a bucket, for the
// percentile-family statistics (pNN, TM, WM, TC, TS, PR, IQM).
//
// Exact while it holds at most kMaxExactValues distinct values: the sorted (value, count) pairs
// themselves. Beyond that it becomes a DDSketch (Masson, Rim, Lee, VLDB 2019) with relative
// accuracy kRelativeAccuracy: values are counted in logarithmic buckets
// [γ^(i-1), γ^i) with γ = (1+α)/(1-α), and each bucket is represented by 2γ^i/(γ+1), which is
// within α (relatively) of every value in it. Consequences, tested in distribution_test.cc:
//   - any rank-based quantile read from the sketch is within α of the exact value at that rank;
//   - any mean of a rank range (trimmed/winsorized means) is within α of the exact mean;
//   - counts (SampleCount, TC, PR) are exact up to the values that share a bucket with a bound.
// Merging is exact for both forms (bucket counts add), so rollups and periods lose nothing more.
//
// A distribution of one distinct value (the common case: a bucket of one sample, or of repeats of
// one value) is held inline, without a heap allocation.
//
// Not thread-safe; a value type.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::storage {

class Distribution {
 public:
  static constexpr size_t kMaxExactValues = 64;
  static constexpr double kRelativeAccuracy = 0.01;
  // Sketch buckets kept at most; beyond, the lowest buckets are collapsed into one (the DDSketch
  // "collapsing lowest" rule), which only affects the lowest quantiles of ranges spanning more
  // than ~10^35 orders of magnitude at α = 1%.
  static constexpr size_t kMaxSketchBuckets = 4096;

  struct Point {
    double value;
    double count;
  };

  Distribution() = default;
  Distribution(const Distribution& o);
  Distribution& operator=(const Distribution& o);
  Distribution(Distribution&&) noexcept = default;
  Distribution& operator=(Distribution&&) noexcept = default;
  ~Distribution() = default;

  // Adds `count` (> 0) occurrences of `value` (finite).
  void Add(double value, double count);
  // Same as Add on an empty distribution, without its checks' cost (the block decoder fills
  // implied distributions this way). Must be empty.
  void SetSingle(double value, double count) {
    if (!(count > 0) || !(value - value == 0)) return;  // not finite
    total_ = count;
    has_one_ = true;
    one_ = {value, count};
  }
  void Merge(const Distribution& other);

  bool empty() const { return total_ <= 0; }
  double total_count() const { return total_; }
  bool exact() const { return sketch_ == nullptr; }
  // True when this is exactly `count` occurrences of `value` (compared bit for bit), e.g. the
  // distribution a bucket of min == max implies; the block encoding then stores nothing for it.
  bool IsSingle(double value, double count) const;

  // The values in ascending order with their counts: the exact values, or one representative
  // per sketch bucket.
  std::vector<Point> Points() const;

  // Binary form (docs/storage-format.md). Decode returns false on malformed input and advances
  // `in` past what it read.
  void AppendTo(std::string& out) const;
  static bool Decode(std::string_view& in, Distribution& out);

  bool operator==(const Distribution& o) const;

 private:
  void ToSketch();
  void AddToSketch(double value, double count);
  void CollapseIfNeeded();

  size_t ExactSize() const { return has_one_ ? 1 : exact_.size(); }
  const Point* ExactData() const { return has_one_ ? &one_ : exact_.data(); }

  // The sketch form, out of line: buckets are only ever full of values in busy buckets, and a
  // small Distribution keeps the Aggregates that carry one cheap to move.
  struct Sketch {
    // Sorted by index. Negative values are kept by the index of their magnitude.
    std::vector<std::pair<int32_t, double>> positive;
    std::vector<std::pair<int32_t, double>> negative;
    double zero_count = 0;
    bool operator==(const Sketch&) const = default;
  };

  double total_ = 0;
  // Exact form: sorted by value, distinct values; one distinct value lives in `one_` instead
  // (then `exact_` is empty).
  bool has_one_ = false;
  Point one_{0, 0};
  std::vector<Point> exact_;
  std::unique_ptr<Sketch> sketch_;  // set in the sketch form
};

}  // namespace vigil::storage
