#include "vigil/alarms/evaluation.h"

#include <algorithm>
#include <array>

#include "vigil/common/text.h"

namespace vigil::alarms {
namespace {

constexpr std::array<std::string_view, 3> kStateNames = {"OK", "ALARM", "INSUFFICIENT_DATA"};
constexpr std::array<std::string_view, 4> kTreatNames = {"missing", "breaching", "notBreaching",
                                                         "ignore"};
constexpr std::array<std::string_view, 7> kComparisonNames = {
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
};

template <typename E, size_t N>
std::optional<E> Find(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

// A real point: a value, and for band alarms a band to compare it with.
bool IsReal(const Rule& rule, const Slot& s) {
  if (!s.value) return false;
  if (!IsBandComparison(rule.comparison)) return true;
  switch (rule.comparison) {
    case Comparison::kLessThanLowerThreshold:
      return s.lower.has_value();
    case Comparison::kGreaterThanUpperThreshold:
      return s.upper.has_value();
    default:
      return s.lower.has_value() && s.upper.has_value();
  }
}

std::string_view OperatorWords(Comparison c) {
  switch (c) {
    case Comparison::kGreaterThanOrEqualToThreshold:
      return "greater than or equal to";
    case Comparison::kGreaterThanThreshold:
      return "greater than";
    case Comparison::kLessThanThreshold:
      return "less than";
    case Comparison::kLessThanOrEqualToThreshold:
      return "less than or equal to";
    default:
      return "";
  }
}

std::string Plural(int n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

std::string_view WasWere(int n) { return n == 1 ? "was" : "were"; }

std::string PointText(const Slot& s) {
  return JavaDouble(*s.value) + " (" + FormatReasonDate(s.start) + ")";
}

std::string BoundList(std::span<const Slot> range, const std::vector<size_t>& idx, bool upper) {
  std::string out = "[";
  for (size_t k = 0; k < idx.size(); ++k) {
    if (k) out += ", ";
    const auto& bound = upper ? range[idx[k]].upper : range[idx[k]].lower;
    out += bound ? JavaDouble(*bound) : std::string("null");
  }
  return out + "]";
}

}  // namespace

std::string_view StateName(AlarmState s) { return kStateNames[static_cast<size_t>(s)]; }
std::optional<AlarmState> ParseState(std::string_view s) {
  return Find<AlarmState>(kStateNames, s);
}
std::string_view TreatMissingName(TreatMissingData t) {
  return kTreatNames[static_cast<size_t>(t)];
}
std::optional<TreatMissingData> ParseTreatMissing(std::string_view s) {
  return Find<TreatMissingData>(kTreatNames, s);
}
std::string_view ComparisonName(Comparison c) { return kComparisonNames[static_cast<size_t>(c)]; }
std::optional<Comparison> ParseComparison(std::string_view s) {
  return Find<Comparison>(kComparisonNames, s);
}
bool IsBandComparison(Comparison c) {
  return c == Comparison::kLessThanLowerOrGreaterThanUpperThreshold ||
         c == Comparison::kLessThanLowerThreshold || c == Comparison::kGreaterThanUpperThreshold;
}

int EvaluationRangeLength(int evaluation_periods) {
  return evaluation_periods + std::max(2, evaluation_periods / 3);
}

bool Breaches(const Rule& rule, const Slot& s) {
  if (!IsReal(rule, s)) return false;
  double v = *s.value;
  switch (rule.comparison) {
    case Comparison::kGreaterThanOrEqualToThreshold:
      return v >= rule.threshold;
    case Comparison::kGreaterThanThreshold:
      return v > rule.threshold;
    case Comparison::kLessThanThreshold:
      return v < rule.threshold;
    case Comparison::kLessThanOrEqualToThreshold:
      return v <= rule.threshold;
    case Comparison::kLessThanLowerOrGreaterThanUpperThreshold:
      return v < *s.lower || v > *s.upper;
    case Comparison::kLessThanLowerThreshold:
      return v < *s.lower;
    case Comparison::kGreaterThanUpperThreshold:
      return v > *s.upper;
  }
  return false;
}

Evaluation Evaluate(const Rule& rule, std::span<const Slot> range, AlarmState current) {
  const int n = std::max(1, rule.evaluation_periods);
  const int m = std::clamp(rule.datapoints_to_alarm, 1, n);
  Evaluation e;
  std::vector<size_t> real;  // oldest first
  for (size_t i = 0; i < range.size(); ++i) {
    if (IsReal(rule, range[i])) real.push_back(i);
  }

  auto retain = [&](Evaluation& out) {
    out.state = current;
    out.retained = true;
    return out;
  };

  if (real.empty()) {
    switch (rule.treat_missing) {
      case TreatMissingData::kMissing:
        e.state = AlarmState::kInsufficientData;
        return e;
      case TreatMissingData::kBreaching:
        e.filled = n;
        e.filled_as_breaching = true;
        e.breaching = n;
        e.state = n >= m ? AlarmState::kAlarm : AlarmState::kOk;
        return e;
      case TreatMissingData::kNotBreaching:
        e.filled = n;
        e.state = AlarmState::kOk;
        return e;
      case TreatMissingData::kIgnore:
        return retain(e);
    }
  }

  auto count_breaching = [&](const std::vector<size_t>& idx) {
    int b = 0;
    for (size_t i : idx) b += Breaches(rule, range[i]) ? 1 : 0;
    return b;
  };

  if (static_cast<int>(real.size()) >= n) {
    // Enough real points: the most recent N of them, treatment unused.
    e.evaluated.assign(real.rbegin(), real.rbegin() + n);
    e.breaching = count_breaching(e.evaluated);
  } else {
    bool lenient = rule.treat_missing == TreatMissingData::kMissing ||
                   rule.treat_missing == TreatMissingData::kIgnore;
    // Premature-alarm rule: nothing before the point M periods back, that point breaching, and
    // every newer real point breaching.
    if (lenient && static_cast<size_t>(m) <= range.size()) {
      size_t pivot = range.size() - static_cast<size_t>(m);
      bool older_missing = real.front() >= pivot;
      bool pivot_breaches = IsReal(rule, range[pivot]) && Breaches(rule, range[pivot]);
      bool newer_breach = true;
      for (size_t i : real) {
        if (i > pivot && !Breaches(rule, range[i])) newer_breach = false;
      }
      if (older_missing && pivot_breaches && newer_breach) {
        e.evaluated.assign(real.rbegin(), real.rend());
        e.breaching = count_breaching(e.evaluated);
        e.premature = true;
        if (rule.treat_missing == TreatMissingData::kIgnore) return retain(e);
        e.state = AlarmState::kAlarm;
        return e;
      }
    }
    // Every real point, and the treatment as few times as possible.
    e.evaluated.assign(real.rbegin(), real.rend());
    e.breaching = count_breaching(e.evaluated);
    if (!lenient) {
      e.filled = n - static_cast<int>(real.size());
      e.filled_as_breaching = rule.treat_missing == TreatMissingData::kBreaching;
      if (e.filled_as_breaching) e.breaching += e.filled;
    }
  }

  if (rule.min_samples) {
    for (size_t i : e.evaluated) {
      if (range[i].sample_count < *rule.min_samples) return retain(e);
    }
  }
  e.state = e.breaching >= m ? AlarmState::kAlarm : AlarmState::kOk;
  return e;
}

std::string ReasonText(const Rule& rule, const Evaluation& e, std::span<const Slot> range) {
  const int n = std::max(1, rule.evaluation_periods);
  const int m = std::clamp(rule.datapoints_to_alarm, 1, n);
  if (e.evaluated.empty()) {
    if (e.state == AlarmState::kInsufficientData) {
      return "Insufficient Data: " + Plural(n, "datapoint") + " " + std::string(WasWere(n)) +
             " unknown.";
    }
    return "Threshold Crossed: no datapoints were received for " + Plural(n, "period") + " and " +
           Plural(e.filled, "missing datapoint") + " " + std::string(WasWere(e.filled)) +
           " treated as [" + (e.filled_as_breaching ? "Breaching" : "NonBreaching") + "].";
  }

  const bool alarm = e.state == AlarmState::kAlarm;
  // The evaluated real points that support the new state, newest first.
  std::vector<size_t> support;
  for (size_t i : e.evaluated) {
    if (Breaches(rule, range[i]) == alarm) support.push_back(i);
  }
  const int k = static_cast<int>(support.size());
  std::string list = "[";
  for (size_t j = 0; j < support.size(); ++j) {
    if (j) list += ", ";
    list += PointText(range[support[j]]);
  }
  list += "]";
  const std::string negation = alarm ? "" : "not ";

  std::string condition;
  if (IsBandComparison(rule.comparison)) {
    // AWS negates each side of the two-sided form: "was not less than the lower thresholds [..]
    // or not greater than the upper thresholds [..]" (docs/alarms.md, "Anomaly detection alarms").
    std::string lower = negation + "less than the lower thresholds " +
                        BoundList(range, support, false);
    std::string upper = negation + "greater than the upper thresholds " +
                        BoundList(range, support, true);
    if (rule.comparison == Comparison::kLessThanLowerThreshold) {
      condition = lower;
    } else if (rule.comparison == Comparison::kGreaterThanUpperThreshold) {
      condition = upper;
    } else {
      condition = lower + " or " + upper;
    }
  } else {
    condition = negation + std::string(OperatorWords(rule.comparison)) + " the threshold (" +
                JavaDouble(rule.threshold) + ")";
  }
  const std::string head =
      IsBandComparison(rule.comparison) ? "Thresholds Crossed: " : "Threshold Crossed: ";

  // Band alarms always use the "k out of the last n" form, also for 1 of 1 (public AWS
  // messages); static alarms write "1 datapoint [...] was ..." for 1 of 1 (recorded).
  if (n == 1 && e.filled == 0 && k == 1 && !IsBandComparison(rule.comparison)) {
    return head + "1 datapoint " + list + " was " + condition + ".";
  }
  std::string text = head + std::to_string(k) + " out of the last " + std::to_string(n) +
                     " datapoints " + list + " " + std::string(WasWere(k)) + " " + condition;
  if (e.filled > 0) {
    text += " and " + Plural(e.filled, "missing datapoint") + " " +
            std::string(WasWere(e.filled)) + " treated as [" +
            (e.filled_as_breaching ? "Breaching" : "NonBreaching") + "]";
  }
  int minimum = alarm ? m : n - m + 1;
  text += " (minimum " + Plural(minimum, "datapoint") + " for " +
          (alarm ? "OK -> ALARM" : "ALARM -> OK") + " transition).";
  return text;
}

}  // namespace vigil::alarms
