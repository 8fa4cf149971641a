// The pure alarm evaluation function: (rule, datapoints, current state) -> next state.
//
// Implements CloudWatch's rules (cloudwatch-semantics.md §8; UG "How alarm state is evaluated when
// data is missing" and "Avoiding premature transitions to alarm state"):
//   - the evaluation range holds more periods than EvaluationPeriods (N); vigil fetches
//     N + max(2, N / 3) periods (CloudWatch publishes no formula; N = 3 gives the documented 5);
//   - no missing point in the range: the most recent N points are evaluated;
//   - at least N real points: the most recent N real points are evaluated (older ones included)
//     and TreatMissingData is not used;
//   - fewer than N real points: every real point is evaluated and the missing ones are filled with
//     the treatment as few times as possible (breaching / notBreaching fill up to N; missing and
//     ignore add nothing);
//   - ALARM when at least M (DatapointsToAlarm) evaluated points breach;
//   - premature-alarm rule (missing/ignore): when every point older than M periods is missing,
//     the point M periods back breaches and every newer real point breaches, the alarm goes to
//     ALARM (missing) or keeps its state (ignore) even with fewer than M real points;
//   - nothing at all in the range: INSUFFICIENT_DATA (missing), ALARM (breaching), OK
//     (notBreaching), or the current state (ignore);
//   - EvaluateLowSampleCountPercentile=ignore: a percentile alarm keeps its state while an
//     evaluated period has too few samples to be significant.
// No clock, no I/O: tests call it with synthetic ranges (tests/unit/alarms/evaluation_test.cc
// holds both worked tables of §8 as golden tests).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/common/time.h"

namespace vigil::alarms {

enum class AlarmState : uint8_t { kOk, kAlarm, kInsufficientData };
std::string_view StateName(AlarmState s);  // "OK", "ALARM", "INSUFFICIENT_DATA"
std::optional<AlarmState> ParseState(std::string_view s);

enum class TreatMissingData : uint8_t { kMissing, kBreaching, kNotBreaching, kIgnore };
std::string_view TreatMissingName(TreatMissingData t);  // "missing", "breaching", ...
std::optional<TreatMissingData> ParseTreatMissing(std::string_view s);

enum class Comparison : uint8_t {
  kGreaterThanOrEqualToThreshold,
  kGreaterThanThreshold,
  kLessThanThreshold,
  kLessThanOrEqualToThreshold,
  kLessThanLowerOrGreaterThanUpperThreshold,
  kLessThanLowerThreshold,
  kGreaterThanUpperThreshold,
};
std::string_view ComparisonName(Comparison c);
std::optional<Comparison> ParseComparison(std::string_view s);
bool IsBandComparison(Comparison c);

// One period of the evaluation range.
struct Slot {
  Timestamp start;               // period start
  std::optional<double> value;   // absent: no data for the period
  double sample_count = 0;       // samples behind the value (for the low-sample rule)
  // Band alarms: the band for the period (absent when the band has no value).
  std::optional<double> lower;
  std::optional<double> upper;
};

struct Rule {
  int evaluation_periods = 1;    // N
  int datapoints_to_alarm = 1;   // M
  Comparison comparison = Comparison::kGreaterThanThreshold;
  double threshold = 0;          // static comparisons only
  TreatMissingData treat_missing = TreatMissingData::kMissing;
  // With EvaluateLowSampleCountPercentile=ignore on a percentile statistic: the sample count a
  // period needs to count (10 / (1 - p) for p >= 0.5, 10 / p below). Absent: always evaluate.
  std::optional<double> min_samples;
};

// Periods the evaluator fetches for N evaluation periods.
int EvaluationRangeLength(int evaluation_periods);

// Whether a real point breaches the rule.
bool Breaches(const Rule& rule, const Slot& slot);

struct Evaluation {
  AlarmState state = AlarmState::kInsufficientData;
  bool retained = false;  // the state was kept (ignore / low samples), not evaluated
  bool premature = false; // ALARM through the premature-alarm rule
  // The real points evaluated, as indices into the range, newest first.
  std::vector<size_t> evaluated;
  // Missing points filled with the treatment, and what they counted as.
  int filled = 0;
  bool filled_as_breaching = false;
  int breaching = 0;      // evaluated points (real or filled) that breach
};

// `range` is oldest first and EvaluationRangeLength(N) long (shorter is allowed: the missing
// oldest periods count as missing).
Evaluation Evaluate(const Rule& rule, std::span<const Slot> range, AlarmState current);

// AWS's StateReason text for a transition to `evaluation.state`, e.g.
// "Threshold Crossed: 1 datapoint [21.5 (27/11/26 12:35:00)] was greater than the threshold (21.0)."
std::string ReasonText(const Rule& rule, const Evaluation& evaluation, std::span<const Slot> range);

}  // namespace vigil::alarms
