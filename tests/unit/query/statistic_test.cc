// Every statistic against hand-computed values (docs/query.md has the same worked examples), the
// syntax, the availability rules and the sketch error bound.
#include "vigil/query/statistic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace vigil::query {
namespace {

using Kind = Statistic::Kind;

storage::Aggregate Values(std::initializer_list<double> values) {
  storage::Aggregate a;
  for (double v : values) a.Add(v, 1);
  return a;
}

// Concatenation without operator+ on temporaries (g++ 12 warns falsely about it at -O2).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out.append(p);
  return out;
}

std::optional<double> Eval(std::string_view stat, const storage::Aggregate& a) {
  auto s = Statistic::Parse(stat);
  EXPECT_TRUE(s.has_value()) << stat;
  if (!s) return std::nullopt;
  return s->Evaluate(a);
}

// 1, 2, ..., 10: N = 10.
const storage::Aggregate& OneToTen() {
  static const storage::Aggregate a = Values({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  return a;
}

TEST(StatisticTest, BasicStatistics) {
  auto a = Values({0, 2, 4, 3.5, 7, 100});
  EXPECT_EQ(Eval("SampleCount", a), 6);
  EXPECT_EQ(Eval("Sum", a), 116.5);
  EXPECT_EQ(Eval("Average", a), 19.416666666666668);
  EXPECT_EQ(Eval("Minimum", a), 0.0);
  EXPECT_EQ(Eval("Maximum", a), 100);
  EXPECT_FALSE(Eval("Sum", storage::Aggregate()).has_value()) << "an empty period has no value";
}

TEST(StatisticTest, PercentilesUseTheNearestRank) {
  const auto& a = OneToTen();
  // rank = ceil(q/100 × 10), at least 1.
  EXPECT_EQ(Eval("p0", a), 1);
  EXPECT_EQ(Eval("p10", a), 1);
  EXPECT_EQ(Eval("p10.5", a), 2);
  EXPECT_EQ(Eval("p25", a), 3);
  EXPECT_EQ(Eval("p50", a), 5);
  EXPECT_EQ(Eval("p90", a), 9);
  EXPECT_EQ(Eval("p90.0000000001", a), 10);
  EXPECT_EQ(Eval("p99", a), 10);
  EXPECT_EQ(Eval("p100", a), 10);
  auto b = Values({0, 2, 4, 3.5, 7, 100});  // sorted 0 2 3.5 4 7 100
  EXPECT_EQ(Eval("p50", b), 3.5);
  EXPECT_EQ(Eval("p83", b), 7);  // ceil(4.98) = 5
  EXPECT_EQ(Eval("p84", b), 100);
}

TEST(StatisticTest, WholeRanksAreNotPushedUpByRounding) {
  // N = 100: 7% of 100 is exactly 7 (7/100.0 * 100 is 7.000000000000001 in doubles).
  storage::Aggregate a;
  a.Add(0.5, 7);
  a.Add(1, 1);
  a.Add(2, 92);
  EXPECT_EQ(Eval("p7", a), 0.5);
  EXPECT_EQ(Eval("p7.0000000001", a), 1);
  EXPECT_EQ(Eval("p8", a), 1);
  EXPECT_EQ(Eval("TC(:7%)", a), 7);
  EXPECT_EQ(Eval("TC(7%:57%)", a), 50);
}

TEST(StatisticTest, PercentilesWeighCounts) {
  storage::Aggregate a;  // Values [1, 10] Counts [2, 4]: 1 1 10 10 10 10
  a.Add(1, 2);
  a.Add(10, 4);
  EXPECT_EQ(Eval("p33", a), 1);  // ceil(1.98) = 2
  EXPECT_EQ(Eval("p34", a), 10);
  EXPECT_EQ(Eval("p50", a), 10);  // rank 3
  EXPECT_EQ(Eval("tm50", a), 4);  // 1 1 10
  EXPECT_EQ(Eval("tc50", a), 3);
  EXPECT_EQ(Eval("ts50", a), 12);
}

TEST(StatisticTest, TrimmedMeanCountSumWithPercentBounds) {
  const auto& a = OneToTen();
  // tm90 = TM(:90%): ranks 1..9.
  EXPECT_EQ(Eval("tm90", a), 5);
  EXPECT_EQ(Eval("TM(:90%)", a), 5);
  EXPECT_EQ(Eval("tc90", a), 9);
  EXPECT_EQ(Eval("ts90", a), 45);
  // TM(10%:90%): the lowest floor(1) and the highest 10 - ceil(9) values go: 2..9.
  EXPECT_EQ(Eval("TM(10%:90%)", a), 5.5);
  EXPECT_EQ(Eval("TC(10%:90%)", a), 8);
  EXPECT_EQ(Eval("TS(10%:90%)", a), 44);
  // IQM = TM(25%:75%): floor(2.5) = 2 removed below, 10 - ceil(7.5) = 2 above: 3..8.
  EXPECT_EQ(Eval("IQM", a), 5.5);
  EXPECT_EQ(Eval("TM(25%:75%)", a), 5.5);
  EXPECT_EQ(Eval("TC(25%:75%)", a), 6);
  // One-sided.
  EXPECT_EQ(Eval("TM(50%:)", a), 8);   // 6..10
  EXPECT_EQ(Eval("TS(80%:)", a), 19);  // 9, 10
  EXPECT_EQ(Eval("TM(0%:100%)", a), 5.5);
  auto b = Values({0, 2, 4, 3.5, 7, 100});
  EXPECT_EQ(Eval("tm80", b), 3.3);   // ceil(4.8) = 5: 0 2 3.5 4 7
  EXPECT_EQ(Eval("IQM", b), 4.125);  // floor(1.5) = 1 below, 6 - ceil(4.5) = 1 above
}

TEST(StatisticTest, AbsoluteBoundsExcludeTheLowerAndIncludeTheUpper) {
  const auto& a = OneToTen();
  EXPECT_EQ(Eval("TM(2:5)", a), 4);  // 3 4 5
  EXPECT_EQ(Eval("TC(2:5)", a), 3);
  EXPECT_EQ(Eval("TS(2:5)", a), 12);
  EXPECT_EQ(Eval("TC(:0.5)", a), 0);
  EXPECT_EQ(Eval("TS(:0.5)", a), 0);
  EXPECT_FALSE(Eval("TM(:0.5)", a).has_value()) << "the mean of no values";
  EXPECT_EQ(Eval("TC(:1)", a), 1);
  EXPECT_EQ(Eval("TC(9.5:)", a), 1);
  EXPECT_EQ(Eval("TM(-1:3)", a), 2);
}

TEST(StatisticTest, WinsorizedMeanClampsToTheKeptRange) {
  const auto& a = OneToTen();
  // wm90: the highest value (10) counts as the highest kept value (9): (45 + 9) / 10.
  EXPECT_EQ(Eval("wm90", a), 5.4);
  // WM(10%:90%): 1 counts as 2, 10 as 9: (2 + 44 + 9) / 10.
  EXPECT_EQ(Eval("WM(10%:90%)", a), 5.5);
  // WM(2:5): 1 and 2 count as 3; 6..10 count as 5: (6 + 12 + 25) / 10.
  EXPECT_EQ(Eval("WM(2:5)", a), 4.3);
  EXPECT_FALSE(Eval("WM(20:30)", a).has_value());
}

TEST(StatisticTest, PercentileRank) {
  const auto& a = OneToTen();
  EXPECT_EQ(Eval("PR(:3)", a), 30);
  EXPECT_EQ(Eval("PR(2:5)", a), 30);
  EXPECT_EQ(Eval("PR(5:)", a), 50);
  EXPECT_EQ(Eval("PR(:100)", a), 100);
  EXPECT_EQ(Eval("PR(10:)", a), 0);
}

TEST(StatisticTest, EmptyPercentRange) {
  const auto& a = OneToTen();
  EXPECT_FALSE(Eval("TM(50%:50%)", a).has_value());
  EXPECT_EQ(Eval("TC(50%:50%)", a), 0);
  EXPECT_EQ(Eval("TS(50%:50%)", a), 0);
  EXPECT_FALSE(Eval("WM(50%:50%)", a).has_value());
}

TEST(StatisticTest, NegativeValuesLeaveOnlyTheBasicStatistics) {
  auto a = Values({-1, 2, 3});
  EXPECT_EQ(Eval("Sum", a), 4);
  EXPECT_EQ(Eval("Minimum", a), -1);
  for (auto s : {"p50", "tm90", "IQM", "wm90", "tc90", "ts90", "PR(:5)", "TC(0:5)"}) {
    EXPECT_FALSE(Eval(s, a).has_value()) << s;
  }
  auto zero = Values({0, 0, 1});
  EXPECT_EQ(Eval("p50", zero), 0) << "zero is not negative";
}

TEST(StatisticTest, StatisticSetsThatCannotBeExpanded) {
  storage::Aggregate a;
  a.Add(11, 1);
  a.AddStatisticSet(10, 55, 1, 10);  // SampleCount 10, Sum 55, Min 1, Max 10: not expandable
  EXPECT_EQ(Eval("Sum", a), 66);
  EXPECT_EQ(Eval("Average", a), 6);
  EXPECT_FALSE(Eval("p50", a).has_value());
  EXPECT_FALSE(Eval("TC(:100)", a).has_value());

  storage::Aggregate same;  // Min = Max and Sum = Min × SampleCount: ten fives
  same.AddStatisticSet(10, 50, 5, 5);
  same.Add(7, 1);
  EXPECT_EQ(Eval("p50", same), 5);
  EXPECT_EQ(Eval("p99", same), 7);
  EXPECT_EQ(Eval("tc90", same), 10);  // ceil(9.9) = 10 of 11

  storage::Aggregate one;  // SampleCount 1 with Min = Max = Sum
  one.AddStatisticSet(1, 4, 4, 4);
  EXPECT_EQ(Eval("p10", one), 4);
}

TEST(StatisticTest, ParsesEverySyntax) {
  struct Case {
    const char* text;
    Kind kind;
  };
  for (const Case& c : std::initializer_list<Case>{{"SampleCount", Kind::kSampleCount},
                                                   {"Average", Kind::kAverage},
                                                   {"Sum", Kind::kSum},
                                                   {"Minimum", Kind::kMinimum},
                                                   {"Maximum", Kind::kMaximum},
                                                   {"p0", Kind::kPercentile},
                                                   {"p99", Kind::kPercentile},
                                                   {"p99.9", Kind::kPercentile},
                                                   {"p99.9999999999", Kind::kPercentile},
                                                   {"p100", Kind::kPercentile},
                                                   {"p100.0", Kind::kPercentile},
                                                   {"p05", Kind::kPercentile},
                                                   {"tm99", Kind::kTrimmedMean},
                                                   {"tm99.5", Kind::kTrimmedMean},
                                                   {"TM(10%:90%)", Kind::kTrimmedMean},
                                                   {"TM(:95%)", Kind::kTrimmedMean},
                                                   {"TM(5%:)", Kind::kTrimmedMean},
                                                   {"TM(150:1000)", Kind::kTrimmedMean},
                                                   {"TM(:0.5)", Kind::kTrimmedMean},
                                                   {"IQM", Kind::kTrimmedMean},
                                                   {"wm98", Kind::kWinsorizedMean},
                                                   {"WM(10%:90%)", Kind::kWinsorizedMean},
                                                   {"WM(1:2)", Kind::kWinsorizedMean},
                                                   {"tc90", Kind::kTrimmedCount},
                                                   {"TC(0.005:0.030)", Kind::kTrimmedCount},
                                                   {"TC(:0.5)", Kind::kTrimmedCount},
                                                   {"ts90", Kind::kTrimmedSum},
                                                   {"TS(80%:)", Kind::kTrimmedSum},
                                                   {"PR(:300)", Kind::kPercentileRank},
                                                   {"PR(100:2000)", Kind::kPercentileRank},
                                                   {"PR(100:)", Kind::kPercentileRank}}) {
    auto s = Statistic::Parse(c.text);
    ASSERT_TRUE(s.has_value()) << c.text;
    EXPECT_EQ(s->kind(), c.kind) << c.text;
    EXPECT_EQ(s->text(), c.text);
  }
  auto tm = *Statistic::Parse("TM(10%:)");
  EXPECT_TRUE(tm.lower().present && tm.lower().percent && tm.lower().value == 10);
  EXPECT_FALSE(tm.upper().present);
  auto tc = *Statistic::Parse("TC(:0.5)");
  EXPECT_FALSE(tc.lower().present);
  EXPECT_TRUE(tc.upper().present && !tc.upper().percent && tc.upper().value == 0.5);
  auto iqm = *Statistic::Parse("IQM");
  EXPECT_EQ(iqm.lower().value, 25);
  EXPECT_EQ(iqm.upper().value, 75);
  EXPECT_EQ(Statistic::Parse("p99.5")->percentile(), 99.5);
}

TEST(StatisticTest, RejectsEverythingElse) {
  for (const char* bad : {"",
                          "sum",
                          "SUM",
                          "average",
                          "Avg",
                          "p",
                          "p101",
                          "p100.1",
                          "p-1",
                          "p.5",
                          "p50.",
                          "p99.12345678901",
                          "P99",
                          "p 99",
                          "p99 ",
                          "p1e2",
                          "p+5",
                          "tm",
                          "TM99",
                          "Tm99",
                          "tM99",
                          "tm(10%:90%)",
                          "TM(10%:90%",
                          "TM10%:90%)",
                          "TM()",
                          "TM(:)",
                          "TM(90%:10%)",
                          "TM(10%:500)",
                          "TM(10:90%)",
                          "TM(10%)",
                          "TM(10% :90%)",
                          "TM(1:2:3)",
                          "TM(101%:)",
                          "TM(5:1)",
                          "iqm",
                          "Iqm",
                          "IQM(25%:75%)",
                          "pr(1:2)",
                          "pr300",
                          "PR(10%:90%)",
                          "PR(:5%)",
                          "PR()",
                          "wm",
                          "WM",
                          "tc",
                          "ts",
                          "tx90",
                          "XX(1:2)",
                          "p50%",
                          "tm50%",
                          "TM(1e3:)",
                          "TM(-5%:)",
                          "p99.0000000000000",
                          "TC(:0.12345678901)"}) {
    EXPECT_FALSE(Statistic::Parse(bad).has_value()) << "'" << bad << "'";
  }
}

// The sketch error bound (docs/query.md "Error bounds"): beyond 64 distinct values a period's
// values live in a 1% DDSketch. Ranks are preserved, so percentiles and percent-bounded means
// are within 1% of the exact nearest-rank answer, and percent-bounded counts are exact.
TEST(StatisticTest, SketchIsWithinOnePercent) {
  std::vector<double> exact;
  storage::Aggregate a;
  uint64_t x = 88172645463325252ULL;  // xorshift64: deterministic, spread over 7 decades
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double u = static_cast<double>(x >> 11) / 9007199254740992.0;
    double v = std::exp(u * 16.0) / 1000.0;  // 0.001 .. ~8900
    exact.push_back(v);
    a.Add(v, 1);
  }
  ASSERT_FALSE(a.values.exact());
  std::sort(exact.begin(), exact.end());
  const double n = static_cast<double>(exact.size());
  auto at_rank = [&](double rank) { return exact[static_cast<size_t>(std::max(rank, 1.0)) - 1]; };
  for (double q : {0.0, 0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 100.0}) {
    double want = at_rank(std::ceil(q / 100 * n));
    auto got = Statistic::Parse(Cat({"p", std::to_string(q).substr(0, 6)}))->Evaluate(a);
    ASSERT_TRUE(got);
    EXPECT_LE(std::fabs(*got - want), 0.01 * want) << "p" << q;
  }
  EXPECT_EQ(*Eval("p0", a), exact.front()) << "the extremes are exact";
  EXPECT_EQ(*Eval("p100", a), exact.back());
  // TM(10%:90%) keeps ranks 2001..18000.
  double sum = 0;
  for (size_t i = 2000; i < 18000; ++i) sum += exact[i];
  double tm = sum / 16000;
  EXPECT_LE(std::fabs(*Eval("TM(10%:90%)", a) - tm), 0.01 * tm);
  EXPECT_EQ(*Eval("TC(10%:90%)", a), 16000);
  EXPECT_LE(std::fabs(*Eval("TS(10%:90%)", a) - sum), 0.01 * sum);
  double wm = (2000 * exact[2000] + sum + 2000 * exact[17999]) / n;
  EXPECT_LE(std::fabs(*Eval("WM(10%:90%)", a) - wm), 0.01 * wm);
  // Absolute bounds: only values within 1% of a bound can land on the wrong side.
  auto within = [&](double lo, double hi) {
    return std::count_if(exact.begin(), exact.end(), [&](double v) { return v > lo && v <= hi; });
  };
  for (auto [lo, hi] : {std::pair{1.0, 100.0}, {0.5, 2.0}, {10.0, 5000.0}}) {
    double got = *Statistic::Parse(Cat({"TC(", std::to_string(lo).substr(0, 5), ":",
                                        std::to_string(hi).substr(0, 6), ")"}))
                      ->Evaluate(a);
    double want = static_cast<double>(within(lo, hi));
    double slack = static_cast<double>(within(lo * 0.99, lo * 1.01) + within(hi * 0.99, hi * 1.01));
    EXPECT_LE(std::fabs(got - want), slack) << lo << ":" << hi;
  }
}

}  // namespace
}  // namespace vigil::query
