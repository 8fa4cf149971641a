// Statistic: one CloudWatch statistic, parsed from AWS's syntax and evaluated on a period's
// Aggregate. GetMetricStatistics, GetMetricData and the alarm evaluator all evaluate statistics
// through Statistic::Evaluate, so they cannot disagree.
//
// Syntax (cloudwatch-semantics.md §5, UG Statistics-definitions.md; docs/query.md has the full
// grammar and the definitions with worked examples):
//   SampleCount | Sum | Average | Minimum | Maximum
//   pNN[.N…]            percentile, 0 to 100, at most 10 decimals
//   tmNN wmNN tcNN tsNN same as TM(:NN%) WM(:NN%) TC(:NN%) TS(:NN%)
//   IQM                 same as TM(25%:75%)
//   TM|WM|TC|TS(a%:b%)  bounds as percentiles, either side may be empty: TM(:95%), TM(5%:)
//   TM|WM|TC|TS(a:b)    absolute bounds, lower exclusive, upper inclusive: TC(:0.5)
//   PR(a:b)             percent of the values in (a, b]; absolute bounds only
// Lowercase only with a single number (tm99), uppercase only with parentheses (TM(…)); every
// other spelling is not a statistic.
//
// Method (docs/query.md "Statistics", decision 0020): nearest rank. Among N values sorted
// ascending, the q-th percentile is the value at rank ceil(q/100 × N) (rank 1 for q = 0). A percent
// range (a%:b%) keeps the values at ranks in (floor(a/100 × N), ceil(b/100 × N)]: only whole values
// are removed on either side, and pNN is the largest value tmNN keeps, as the AWS documentation
// says. Counts from Values/Counts weigh values (a value with count 3 occupies three ranks).
//
// Availability: the percentile family (everything but the five basic statistics) needs the raw
// values. Evaluate returns nullopt for it when the period holds a statistic set that cannot be
// expanded into values (Aggregate::values_complete is false) or any negative value (§2). The
// callers then omit the value (docs/query.md).
//
// Thread safety: a value type; const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/storage/metric_store.h"

namespace vigil::query {

class Statistic {
 public:
  enum class Kind : uint8_t {
    kSampleCount,
    kAverage,
    kSum,
    kMinimum,
    kMaximum,
    kPercentile,      // pNN
    kTrimmedMean,     // tmNN, TM(…), IQM
    kWinsorizedMean,  // wmNN, WM(…)
    kTrimmedCount,    // tcNN, TC(…)
    kTrimmedSum,      // tsNN, TS(…)
    kPercentileRank,  // PR(…)
  };

  // One side of a range. Absent: unbounded on that side.
  struct Bound {
    bool present = false;
    bool percent = false;  // a%: a percentile; otherwise an absolute value
    double value = 0;
  };

  // nullopt when `text` is not a statistic in AWS's syntax.
  static std::optional<Statistic> Parse(std::string_view text);
  // One of the five basic statistics.
  static Statistic Basic(Kind kind);

  Kind kind() const { return kind_; }
  // The text as the caller wrote it ("p99", "TM(10%:90%)"): labels and map keys use it.
  const std::string& text() const { return text_; }
  // SampleCount, Sum, Average, Minimum or Maximum: available for every period with data.
  bool basic() const { return kind_ <= Kind::kMaximum; }
  double percentile() const { return percentile_; }  // kPercentile only
  const Bound& lower() const { return lower_; }
  const Bound& upper() const { return upper_; }

  // The statistic of one period, or nullopt when CloudWatch has none for it (an empty period, or a
  // percentile-family statistic over a statistic set or negative values; a trimmed or winsorized
  // mean of an empty range).
  std::optional<double> Evaluate(const storage::Aggregate& a) const;

 private:
  Kind kind_ = Kind::kSampleCount;
  std::string text_;
  double percentile_ = 0;
  Bound lower_, upper_;
};

// The name of a basic statistic ("SampleCount", ...); empty for the others.
std::string_view BasicStatisticName(Statistic::Kind kind);

}  // namespace vigil::query
