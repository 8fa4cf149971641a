#include "vigil/alarms/evaluation.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace vigil::alarms {
namespace {

constexpr int64_t kStart = 1'795'780'800;  // 2026-11-27T11:20:00Z

// "0 - X - X": most recent on the right; 0 not breaching, X breaching, - missing.
std::vector<Slot> Range(std::string_view pattern, int period = 60) {
  std::vector<Slot> out;
  int64_t t = kStart;
  for (char c : pattern) {
    if (c == ' ') continue;
    Slot s;
    s.start = Timestamp::FromSeconds(t);
    t += period;
    if (c == '0') s.value = 1.0;
    if (c == 'X') s.value = 5.0;
    s.sample_count = s.value ? 1 : 0;
    out.push_back(s);
  }
  return out;
}

Rule MakeRule(int m, int n, TreatMissingData treat) {
  Rule r;
  r.datapoints_to_alarm = m;
  r.evaluation_periods = n;
  r.comparison = Comparison::kGreaterThanThreshold;
  r.threshold = 2.0;
  r.treat_missing = treat;
  return r;
}

// The expected outcome: a state, or "retain" (the current state is kept).
struct Row {
  std::string data;
  std::map<TreatMissingData, std::string> expected;
};

void CheckTable(int m, int n, const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    for (const auto& [treat, want] : row.expected) {
      // Run from each possible current state so "retain" is observable.
      for (AlarmState current : {AlarmState::kOk, AlarmState::kAlarm, AlarmState::kInsufficientData}) {
        auto range = Range(row.data);
        ASSERT_EQ(static_cast<int>(range.size()), EvaluationRangeLength(n));
        Evaluation e = Evaluate(MakeRule(m, n, treat), range, current);
        std::string got = std::string(StateName(e.state));
        std::string expect = want == "retain" ? std::string(StateName(current)) : want;
        EXPECT_EQ(got, expect) << "M=" << m << " N=" << n << " data '" << row.data
                               << "' treat=" << TreatMissingName(treat)
                               << " current=" << StateName(current);
        EXPECT_EQ(e.retained, want == "retain") << row.data << " " << TreatMissingName(treat);
      }
    }
  }
}

using T = TreatMissingData;

// cloudwatch-semantics.md §8, first worked table: N = M = 3, evaluation range 5.
TEST(EvaluationTest, GoldenTableThreeOfThree) {
  CheckTable(3, 3,
             {
                 {"0 - X - X",
                  {{T::kMissing, "OK"}, {T::kBreaching, "OK"}, {T::kNotBreaching, "OK"}, {T::kIgnore, "OK"}}},
                 {"0 - - - -",
                  {{T::kMissing, "OK"}, {T::kBreaching, "OK"}, {T::kNotBreaching, "OK"}, {T::kIgnore, "OK"}}},
                 {"- - - - -",
                  {{T::kMissing, "INSUFFICIENT_DATA"},
                   {T::kBreaching, "ALARM"},
                   {T::kNotBreaching, "OK"},
                   {T::kIgnore, "retain"}}},
                 {"0 X X - X",
                  {{T::kMissing, "ALARM"},
                   {T::kBreaching, "ALARM"},
                   {T::kNotBreaching, "ALARM"},
                   {T::kIgnore, "ALARM"}}},
                 {"- - X - -",
                  {{T::kMissing, "ALARM"},
                   {T::kBreaching, "ALARM"},
                   {T::kNotBreaching, "OK"},
                   {T::kIgnore, "retain"}}},
             });
}

// cloudwatch-semantics.md §8, second worked table: M = 2, N = 3.
TEST(EvaluationTest, GoldenTableTwoOfThree) {
  CheckTable(2, 3,
             {
                 {"0 - X - X",
                  {{T::kMissing, "ALARM"},
                   {T::kBreaching, "ALARM"},
                   {T::kNotBreaching, "ALARM"},
                   {T::kIgnore, "ALARM"}}},
                 {"0 0 X 0 X",
                  {{T::kMissing, "ALARM"},
                   {T::kBreaching, "ALARM"},
                   {T::kNotBreaching, "ALARM"},
                   {T::kIgnore, "ALARM"}}},
                 {"0 - X - -",
                  {{T::kMissing, "OK"}, {T::kBreaching, "ALARM"}, {T::kNotBreaching, "OK"}, {T::kIgnore, "OK"}}},
                 {"- - - - 0",
                  {{T::kMissing, "OK"}, {T::kBreaching, "ALARM"}, {T::kNotBreaching, "OK"}, {T::kIgnore, "OK"}}},
                 {"- - - X -",
                  {{T::kMissing, "ALARM"},
                   {T::kBreaching, "ALARM"},
                   {T::kNotBreaching, "OK"},
                   {T::kIgnore, "retain"}}},
             });
}

TEST(EvaluationTest, PrematureAlarmNeedsTheBreachToBeAtLeastMPeriodsOld) {
  // "- - - - X" and "- - - X -" do not alarm with M = N = 3 (cloudwatch-semantics.md §8).
  for (const char* data : {"- - - - X", "- - - X -"}) {
    auto e = Evaluate(MakeRule(3, 3, T::kMissing), Range(data), AlarmState::kOk);
    EXPECT_EQ(e.state, AlarmState::kOk) << data;
    EXPECT_FALSE(e.premature) << data;
  }
  // A non-breaching newer point stops it.
  auto stopped = Evaluate(MakeRule(2, 3, T::kMissing), Range("- - - X 0"), AlarmState::kOk);
  EXPECT_EQ(stopped.state, AlarmState::kOk);
  // An older real point stops it too (the second table's "0 - X - -").
  auto older = Evaluate(MakeRule(2, 3, T::kMissing), Range("0 - X - -"), AlarmState::kOk);
  EXPECT_FALSE(older.premature);
  auto fired = Evaluate(MakeRule(3, 3, T::kMissing), Range("- - X - -"), AlarmState::kOk);
  EXPECT_TRUE(fired.premature);
}

TEST(EvaluationTest, EnoughRealPointsUseTheMostRecentNAndIgnoreTheTreatment) {
  // 4 real points, N = 3: the oldest real one is not evaluated.
  auto e = Evaluate(MakeRule(3, 3, T::kBreaching), Range("X 0 X - X"), AlarmState::kOk);
  EXPECT_EQ(e.state, AlarmState::kOk);
  EXPECT_EQ(e.evaluated, (std::vector<size_t>{4, 2, 1}));
  EXPECT_EQ(e.filled, 0);
  // No missing point: the most recent N.
  auto full = Evaluate(MakeRule(2, 3, T::kMissing), Range("X X 0 0 X"), AlarmState::kAlarm);
  EXPECT_EQ(full.state, AlarmState::kOk);
}

TEST(EvaluationTest, FewerRealPointsFillAsFewTimesAsPossible) {
  auto e = Evaluate(MakeRule(2, 3, T::kBreaching), Range("0 - X - -"), AlarmState::kOk);
  EXPECT_EQ(e.filled, 1);
  EXPECT_TRUE(e.filled_as_breaching);
  EXPECT_EQ(e.breaching, 2);
  EXPECT_EQ(e.state, AlarmState::kAlarm);
}

TEST(EvaluationTest, MOfNNeedNotBeConsecutive) {
  auto rule = MakeRule(3, 5, T::kMissing);
  std::vector<Slot> range = Range("0 0 X 0 X 0 X");  // range length 7 for N = 5
  auto e = Evaluate(rule, range, AlarmState::kOk);
  // The last five: X 0 X 0 X -> 3 breaching.
  EXPECT_EQ(e.state, AlarmState::kAlarm);
}

TEST(EvaluationTest, LowSampleCountPercentileIgnoreKeepsTheState) {
  auto rule = MakeRule(1, 1, T::kMissing);
  rule.min_samples = 1000;  // p99
  auto range = Range("- - X");
  range[2].sample_count = 50;
  auto e = Evaluate(rule, range, AlarmState::kOk);
  EXPECT_TRUE(e.retained);
  EXPECT_EQ(e.state, AlarmState::kOk);
  range[2].sample_count = 1000;
  EXPECT_EQ(Evaluate(rule, range, AlarmState::kOk).state, AlarmState::kAlarm);
}

TEST(EvaluationTest, BandComparisons) {
  Rule rule = MakeRule(1, 1, T::kMissing);
  rule.comparison = Comparison::kLessThanLowerOrGreaterThanUpperThreshold;
  auto range = Range("- - X");
  range[2].value = 10;
  range[2].lower = 2;
  range[2].upper = 8;
  EXPECT_EQ(Evaluate(rule, range, AlarmState::kOk).state, AlarmState::kAlarm);
  range[2].value = 5;
  EXPECT_EQ(Evaluate(rule, range, AlarmState::kAlarm).state, AlarmState::kOk);
  rule.comparison = Comparison::kLessThanLowerThreshold;
  range[2].value = 9;
  EXPECT_EQ(Evaluate(rule, range, AlarmState::kAlarm).state, AlarmState::kOk);
  rule.comparison = Comparison::kGreaterThanUpperThreshold;
  EXPECT_EQ(Evaluate(rule, range, AlarmState::kOk).state, AlarmState::kAlarm);
  // No band for the period: the point cannot be evaluated and counts as missing.
  range[2].upper.reset();
  EXPECT_EQ(Evaluate(rule, range, AlarmState::kOk).state, AlarmState::kInsufficientData);
}

TEST(ReasonTextTest, RecordedSingleDatapointForm) {
  Rule rule = MakeRule(1, 1, T::kMissing);
  rule.threshold = 21.0;
  std::vector<Slot> range = Range("- - X", 10);
  range[2].value = 21.5;
  range[2].start = *ParseTimestamp("2026-11-27T12:35:00Z");
  auto e = Evaluate(rule, range, AlarmState::kInsufficientData);
  ASSERT_EQ(e.state, AlarmState::kAlarm);
  EXPECT_EQ(ReasonText(rule, e, range),
            "Threshold Crossed: 1 datapoint [21.5 (27/11/26 12:35:00)] was greater than the "
            "threshold (21.0).");
  range[2].value = 1.0;
  rule.threshold = 0.0;
  range[2].start = *ParseTimestamp("2024-01-03T11:36:00Z");
  e = Evaluate(rule, range, AlarmState::kInsufficientData);
  EXPECT_EQ(ReasonText(rule, e, range),
            "Threshold Crossed: 1 datapoint [1.0 (03/01/24 11:36:00)] was greater than the "
            "threshold (0.0).");
}

TEST(ReasonTextTest, RecordedNoDataBreachingForm) {
  Rule rule = MakeRule(2, 2, T::kBreaching);
  auto range = Range("- - - -");
  auto e = Evaluate(rule, range, AlarmState::kInsufficientData);
  ASSERT_EQ(e.state, AlarmState::kAlarm);
  EXPECT_EQ(ReasonText(rule, e, range),
            "Threshold Crossed: no datapoints were received for 2 periods and 2 missing "
            "datapoints were treated as [Breaching].");
  Rule one = MakeRule(1, 1, T::kNotBreaching);
  auto e1 = Evaluate(one, Range("- - -"), AlarmState::kAlarm);
  EXPECT_EQ(ReasonText(one, e1, Range("- - -")),
            "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint "
            "was treated as [NonBreaching].");
}

TEST(ReasonTextTest, MOfNFormsListSupportingPointsNewestFirst) {
  Rule rule = MakeRule(3, 3, T::kMissing);
  rule.comparison = Comparison::kGreaterThanOrEqualToThreshold;
  rule.threshold = 7.0;
  std::vector<Slot> range = Range("- - X X X");
  range[2].value = 9.18241509182415;
  range[3].value = 9.72;
  range[4].value = 8.891518474692088;
  range[2].start = *ParseTimestamp("2021-07-14T23:16:00Z");
  range[3].start = *ParseTimestamp("2021-07-14T23:17:00Z");
  range[4].start = *ParseTimestamp("2021-07-14T23:18:00Z");
  auto e = Evaluate(rule, range, AlarmState::kOk);
  // A notification AWS sent for exactly this situation.
  EXPECT_EQ(ReasonText(rule, e, range),
            "Threshold Crossed: 3 out of the last 3 datapoints [8.891518474692088 (14/07/21 "
            "23:18:00), 9.72 (14/07/21 23:17:00), 9.18241509182415 (14/07/21 23:16:00)] were "
            "greater than or equal to the threshold (7.0) (minimum 3 datapoints for OK -> ALARM "
            "transition).");
}

TEST(ReasonTextTest, OkTransitionNeedsNMinusMPlusOne) {
  Rule rule = MakeRule(3, 5, T::kMissing);
  rule.threshold = 0.0;
  std::vector<Slot> range = Range("0 0 X 0 X 0 0");
  for (auto& s : range) {
    if (s.value == 1.0) s.value = 0.0;
  }
  auto e = Evaluate(rule, range, AlarmState::kAlarm);
  ASSERT_EQ(e.state, AlarmState::kOk);
  std::string text = ReasonText(rule, e, range);
  EXPECT_NE(text.find("3 out of the last 5 datapoints ["), std::string::npos) << text;
  EXPECT_NE(text.find("were not greater than the threshold (0.0) (minimum 3 datapoints for "
                      "ALARM -> OK transition)."),
            std::string::npos)
      << text;
}

TEST(ReasonTextTest, FilledPointsAreNamed) {
  Rule rule = MakeRule(2, 3, T::kNotBreaching);
  auto range = Range("- - - X -");
  auto e = Evaluate(rule, range, AlarmState::kAlarm);
  ASSERT_EQ(e.state, AlarmState::kOk);
  std::string text = ReasonText(rule, e, range);
  EXPECT_NE(text.find("0 out of the last 3 datapoints [] were not greater than the threshold (2.0) "
                      "and 2 missing datapoints were treated as [NonBreaching] (minimum 2 "
                      "datapoints for ALARM -> OK transition)."),
            std::string::npos)
      << text;
}

TEST(ReasonTextTest, InsufficientData) {
  Rule rule = MakeRule(1, 1, T::kMissing);
  auto e = Evaluate(rule, Range("- - -"), AlarmState::kOk);
  EXPECT_EQ(ReasonText(rule, e, Range("- - -")), "Insufficient Data: 1 datapoint was unknown.");
}

TEST(ReasonTextTest, BandForm) {
  Rule rule = MakeRule(2, 2, T::kMissing);
  rule.comparison = Comparison::kLessThanLowerOrGreaterThanUpperThreshold;
  std::vector<Slot> range = Range("- - X X");
  range[2].value = 27.035814838199848;
  range[2].lower = 31.317673764600034;
  range[2].upper = 32.68864166862828;
  range[2].start = *ParseTimestamp("2019-11-22T00:52:00Z");
  range[3].value = 28.244242980188464;
  range[3].lower = 31.723549397187316;
  range[3].upper = 33.09242087209403;
  range[3].start = *ParseTimestamp("2019-11-22T00:57:00Z");
  auto e = Evaluate(rule, range, AlarmState::kOk);
  ASSERT_EQ(e.state, AlarmState::kAlarm);
  EXPECT_EQ(ReasonText(rule, e, range),
            "Thresholds Crossed: 2 out of the last 2 datapoints [28.244242980188464 (22/11/19 "
            "00:57:00), 27.035814838199848 (22/11/19 00:52:00)] were less than the lower "
            "thresholds [31.723549397187316, 31.317673764600034] or greater than the upper "
            "thresholds [33.09242087209403, 32.68864166862828] (minimum 2 datapoints for OK -> "
            "ALARM transition).");
}

// Band reasons keep the "k out of the last n" form for 1 of 1 and negate each side of the
// two-sided form (public AWS messages: EventBridge alarm event examples, SNS payloads).
TEST(ReasonTextTest, BandOneOfOneAndRecovery) {
  Rule rule = MakeRule(1, 1, T::kMissing);
  rule.comparison = Comparison::kLessThanLowerOrGreaterThanUpperThreshold;
  std::vector<Slot> range = Range("- - X");
  range[2].start = *ParseTimestamp("2019-10-03T15:58:00Z");
  range[2].value = 0.0;
  range[2].lower = 0.020599444741798756;
  range[2].upper = 0.3006915352732461;
  auto e = Evaluate(rule, range, AlarmState::kOk);
  ASSERT_EQ(e.state, AlarmState::kAlarm);
  EXPECT_EQ(ReasonText(rule, e, range),
            "Thresholds Crossed: 1 out of the last 1 datapoints [0.0 (03/10/19 15:58:00)] was "
            "less than the lower thresholds [0.020599444741798756] or greater than the upper "
            "thresholds [0.3006915352732461] (minimum 1 datapoint for OK -> ALARM transition).");
  range[2].start = *ParseTimestamp("2019-10-03T15:57:00Z");
  range[2].value = 0.166666666664241;
  range[2].lower = 0.0206719426210418;
  range[2].upper = 0.30076870222143803;
  e = Evaluate(rule, range, AlarmState::kAlarm);
  ASSERT_EQ(e.state, AlarmState::kOk);
  EXPECT_EQ(ReasonText(rule, e, range),
            "Thresholds Crossed: 1 out of the last 1 datapoints [0.166666666664241 (03/10/19 "
            "15:57:00)] was not less than the lower thresholds [0.0206719426210418] or not "
            "greater than the upper thresholds [0.30076870222143803] (minimum 1 datapoint for "
            "ALARM -> OK transition).");
  rule.comparison = Comparison::kGreaterThanUpperThreshold;
  range[2].start = *ParseTimestamp("2024-07-25T07:21:00Z");
  range[2].value = 239.0;
  range[2].upper = 225.71426732099445;
  e = Evaluate(rule, range, AlarmState::kOk);
  ASSERT_EQ(e.state, AlarmState::kAlarm);
  EXPECT_EQ(ReasonText(rule, e, range),
            "Thresholds Crossed: 1 out of the last 1 datapoints [239.0 (25/07/24 07:21:00)] was "
            "greater than the upper thresholds [225.71426732099445] (minimum 1 datapoint for OK "
            "-> ALARM transition).");
}

TEST(NamesTest, RoundTrip) {
  for (auto s : {AlarmState::kOk, AlarmState::kAlarm, AlarmState::kInsufficientData}) {
    EXPECT_EQ(ParseState(StateName(s)), s);
  }
  for (int c = 0; c < 7; ++c) {
    auto cmp = static_cast<Comparison>(c);
    EXPECT_EQ(ParseComparison(ComparisonName(cmp)), cmp);
  }
  EXPECT_EQ(ParseTreatMissing("notBreaching"), TreatMissingData::kNotBreaching);
  EXPECT_FALSE(ParseTreatMissing("NotBreaching").has_value());
  EXPECT_EQ(EvaluationRangeLength(3), 5);
  EXPECT_EQ(EvaluationRangeLength(1), 3);
  EXPECT_EQ(EvaluationRangeLength(12), 16);
}

}  // namespace
}  // namespace vigil::alarms
