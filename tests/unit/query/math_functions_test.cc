// Metric math evaluation: every operator and function against hand-computed values, over a fake
// environment (two small series a and b, and METRICS/SEARCH answers).
//
//   minute    0   1   2   3   4        (T0 = 2026-11-27T11:30:00Z, a Friday; 60-s periods)
//   a         1   2   4   .   .
//   b         .  10   .  20   .
// The request covers minutes 0..4, so FILL and TIME_SERIES fill five periods.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>

#include "vigil/query/math.h"

namespace vigil::query::math {
namespace {

constexpr int64_t kT0 = 1'795'779'000;  // 2026-11-27T11:30:00Z

int64_t Min(int m) { return (kT0 + 60 * m) * 1000; }

Series Make(std::vector<std::pair<int, double>> pts, std::string label = "") {
  Series s;
  for (auto [m, v] : pts) {
    s.times.push_back(Min(m));
    s.values.push_back(v);
  }
  s.label = std::move(label);
  return s;
}

Value TS(Series s) {
  Value v;
  v.type = Type::kSeries;
  v.series.push_back(std::move(s));
  return v;
}

class FakeEnvironment : public Environment {
 public:
  std::map<std::string, Value, std::less<>> queries;
  std::vector<Series> metrics;
  std::vector<SearchCall> searches;

  Result<const Value*> Query(std::string_view id) override {
    auto it = queries.find(id);
    if (it == queries.end()) return MakeError(ErrorCode::kValidationError, std::string(id));
    return &it->second;
  }
  Result<const Value*> Metrics(std::optional<std::string_view> filter) override {
    Value v;
    v.type = Type::kArray;
    for (const Series& s : metrics) {
      if (!filter || s.label.find(*filter) != std::string::npos) v.series.push_back(s);
    }
    answers.push_back(std::make_unique<Value>(std::move(v)));
    return answers.back().get();
  }
  std::vector<std::unique_ptr<Value>> answers;
  Result<Value> Search(const SearchCall& call) override {
    searches.push_back(call);
    Value v;
    v.type = Type::kArray;
    v.series.push_back(Make({{0, 7}}, "found"));
    return v;
  }
};

class MathFunctionsTest : public ::testing::Test {
 protected:
  MathFunctionsTest() {
    env_.queries["a"] = TS(Make({{0, 1}, {1, 2}, {2, 4}}, "A"));
    env_.queries["b"] = TS(Make({{1, 10}, {3, 20}}, "B"));
    env_.metrics = {env_.queries["a"].series[0], env_.queries["b"].series[0]};
  }

  Result<Value> Eval(std::string_view text) {
    auto n = Parse(text);
    if (!n.ok()) return std::move(n).error();
    auto t = Check(*n, [this](std::string_view id) -> std::optional<Type> {
      auto it = env_.queries.find(id);
      if (it == env_.queries.end()) return std::nullopt;
      return it->second.type;
    });
    if (!t.ok()) return std::move(t).error();
    EvalContext ctx{Timestamp::FromSeconds(kT0), Timestamp::FromSeconds(kT0 + 300),
                    Timestamp::FromSeconds(kT0 + 600), 60, &env_};
    auto v = Evaluate(*n, ctx);
    if (v.ok()) {
      EXPECT_EQ(v->type, *t) << text << ": the value has the checked type";
    }
    return v;
  }

  double Scalar(std::string_view text) {
    auto v = Eval(text);
    EXPECT_TRUE(v.ok()) << text << ": " << v.error().message;
    if (!v.ok()) return -12345;
    EXPECT_EQ(v->type, Type::kScalar) << text;
    return v->scalar;
  }

  // The single series as "minute:value" pairs.
  std::string Points(const Series& s) {
    std::string out;
    for (size_t i = 0; i < s.times.size(); ++i) {
      if (!out.empty()) out += ' ';
      out += std::to_string((s.times[i] / 1000 - kT0) / 60);
      out += ':';
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.10g", s.values[i]);
      out += buf;
    }
    return out;
  }
  std::string One(std::string_view text) {
    auto v = Eval(text);
    if (!v.ok()) {
      std::string e = "ERROR ";
      e += v.error().message;
      return e;
    }
    EXPECT_EQ(v->type, Type::kSeries) << text;
    EXPECT_EQ(v->series.size(), 1u) << text;
    return v->series.empty() ? "none" : Points(v->series[0]);
  }
  // Every series of an array: "label=points | label=points".
  std::string Many(std::string_view text) {
    auto v = Eval(text);
    if (!v.ok()) {
      std::string e = "ERROR ";
      e += v.error().message;
      return e;
    }
    EXPECT_EQ(v->type, Type::kArray) << text;
    std::string out;
    for (const Series& s : v->series) {
      if (!out.empty()) out += " | ";
      out += s.label;
      out += '=';
      out += Points(s);
    }
    return out;
  }
  std::string Error(std::string_view text) {
    auto v = Eval(text);
    if (v.ok()) return "no error";
    EXPECT_EQ(v.error().code, ErrorCode::kValidationError);
    return v.error().message;
  }

  FakeEnvironment env_;
};

TEST_F(MathFunctionsTest, ScalarArithmetic) {
  EXPECT_EQ(Scalar("1 + 2 * 3"), 7);
  EXPECT_EQ(Scalar("(1 + 2) * 3"), 9);
  EXPECT_EQ(Scalar("7 - 2 - 1"), 4);
  EXPECT_EQ(Scalar("10 / 4"), 2.5);
  EXPECT_EQ(Scalar("2 ^ 3 ^ 2"), 512);
  EXPECT_EQ(Scalar("-2 ^ 2"), -4);
  EXPECT_EQ(Scalar("2 ^ -1"), 0.5);
  EXPECT_EQ(Scalar("--3"), 3);
  EXPECT_TRUE(std::isnan(Scalar("1 / 0"))) << "division by zero has no value";
  EXPECT_TRUE(std::isnan(Scalar("(1 / 0) + 1")));
}

TEST_F(MathFunctionsTest, ScalarComparisonsAndLogic) {
  EXPECT_EQ(Scalar("1 < 2"), 1);
  EXPECT_EQ(Scalar("2 < 2"), 0);
  EXPECT_EQ(Scalar("2 <= 2"), 1);
  EXPECT_EQ(Scalar("3 > 2"), 1);
  EXPECT_EQ(Scalar("2 >= 3"), 0);
  EXPECT_EQ(Scalar("2 == 2"), 1);
  EXPECT_EQ(Scalar("2 != 2"), 0);
  EXPECT_EQ(Scalar("1 + 1 == 2"), 1);
  EXPECT_EQ(Scalar("1 AND 0"), 0);
  EXPECT_EQ(Scalar("2 && 3"), 1);
  EXPECT_EQ(Scalar("0 OR 0"), 0);
  EXPECT_EQ(Scalar("0 || -1"), 1);
  EXPECT_EQ(Scalar("0 OR 1 AND 0"), 0);
  EXPECT_EQ(Scalar("1 OR 0 AND 0"), 1);
  EXPECT_EQ(Scalar("1 < 2 AND 2 < 1"), 0);
}

TEST_F(MathFunctionsTest, SeriesArithmeticAlignsOnTheUnionWithMissingAsZero) {
  EXPECT_EQ(One("a + b"), "0:1 1:12 2:4 3:20");
  EXPECT_EQ(One("a - b"), "0:1 1:-8 2:4 3:-20");
  EXPECT_EQ(One("a * b"), "0:0 1:20 2:0 3:0");
  EXPECT_EQ(One("a / b"), "1:0.2 3:0") << "x / missing divides by zero: no point";
  EXPECT_EQ(One("b / a"), "0:0 1:5 2:0");
  EXPECT_EQ(One("a ^ 2"), "0:1 1:4 2:16");
  EXPECT_EQ(One("2 ^ a"), "0:2 1:4 2:16");
  EXPECT_EQ(One("a * 2 + 1"), "0:3 1:5 2:9");
  EXPECT_EQ(One("10 - a"), "0:9 1:8 2:6");
  EXPECT_EQ(One("a / 0"), "");
  EXPECT_EQ(One("-a"), "0:-1 1:-2 2:-4");
  EXPECT_EQ(One("a + AVG(b)"), "0:16 1:17 2:19");
}

TEST_F(MathFunctionsTest, IntermediateValuesGiveTheSameAnswers) {
  // Computed values are updated in place; ids and METRICS() are read in place.
  EXPECT_EQ(One("(a * 1) / (b * 1)"), "1:0.2 3:0");
  EXPECT_EQ(One("(a * 1) + a"), "0:2 1:4 2:8");
  EXPECT_EQ(One("(a * 1) / (a - 2)"), "0:-1 2:2") << "a - 2 is 0 at minute 1";
  EXPECT_EQ(One("2 - (a * 1)"), "0:1 1:0 2:-2");
  EXPECT_EQ(Many("(METRICS() * 1) - a"), "A=0:0 1:0 2:0 | B=0:-1 1:8 2:-4 3:20");
  EXPECT_EQ(Many("(METRICS() * 1) / 0"), "A= | B=");
  EXPECT_EQ(One("a"), "0:1 1:2 2:4") << "the environment's values are unchanged";
  EXPECT_EQ(Many("METRICS()"), "A=0:1 1:2 2:4 | B=1:10 3:20");
}

TEST_F(MathFunctionsTest, SeriesComparisonsAndLogic) {
  EXPECT_EQ(One("a > 1"), "0:0 1:1 2:1");
  EXPECT_EQ(One("a >= 2"), "0:0 1:1 2:1");
  EXPECT_EQ(One("a < 2"), "0:1 1:0 2:0");
  EXPECT_EQ(One("a <= 2"), "0:1 1:1 2:0");
  EXPECT_EQ(One("a == 2"), "0:0 1:1 2:0");
  EXPECT_EQ(One("a != 2"), "0:1 1:0 2:1");
  EXPECT_EQ(One("a > b"), "0:1 1:0 2:1 3:0");
  EXPECT_EQ(One("a AND b"), "0:0 1:1 2:0 3:0");
  EXPECT_EQ(One("a || b"), "0:1 1:1 2:1 3:1");
  EXPECT_EQ(One("a && 0"), "0:0 1:0 2:0");
  EXPECT_EQ(One("0 OR a"), "0:1 1:1 2:1");
}

TEST_F(MathFunctionsTest, ArraysKeepTheirLabelsThroughOperators) {
  EXPECT_EQ(Many("[a, b]"), "A=0:1 1:2 2:4 | B=1:10 3:20");
  EXPECT_EQ(Many("[a, b] * 2"), "A=0:2 1:4 2:8 | B=1:20 3:40");
  EXPECT_EQ(Many("1 - [a, b]"), "A=0:0 1:-1 2:-3 | B=1:-9 3:-19");
  EXPECT_EQ(Many("METRICS() + a"), "A=0:2 1:4 2:8 | B=0:1 1:12 2:4 3:20");
  EXPECT_EQ(Many("a + METRICS()"), "A=0:2 1:4 2:8 | B=0:1 1:12 2:4 3:20");
  EXPECT_EQ(Many("-METRICS()"), "A=0:-1 1:-2 2:-4 | B=1:-10 3:-20");
  EXPECT_EQ(Many("[METRICS(), a * 3]"), "A=0:1 1:2 2:4 | B=1:10 3:20 | A=0:3 1:6 2:12");
}

TEST_F(MathFunctionsTest, ElementWiseFunctions) {
  EXPECT_EQ(One("ABS(-a)"), "0:1 1:2 2:4");
  EXPECT_EQ(Scalar("ABS(-3)"), 3);
  EXPECT_EQ(One("CEIL(a / 3)"), "0:1 1:1 2:2");
  EXPECT_EQ(One("FLOOR(a / 3)"), "0:0 1:0 2:1");
  EXPECT_EQ(Scalar("FLOOR(-2.5)"), -3);
  EXPECT_EQ(One("LOG(a)"), "0:0 1:0.6931471806 2:1.386294361");
  EXPECT_EQ(One("LOG(a - 1)"), "1:0 2:1.098612289") << "LOG(0) has no value";
  EXPECT_EQ(One("LOG10(a * 25)"), "0:1.397940009 1:1.698970004 2:2");
  EXPECT_TRUE(std::isnan(Scalar("LOG10(-1)")));
  EXPECT_EQ(One("SQRT(a)"), "0:1 1:1.414213562 2:2");
  EXPECT_EQ(One("SQRT(a - 2)"), "1:0 2:1.414213562") << "no square root of -1";
  EXPECT_EQ(Many("ABS(-METRICS())"), "A=0:1 1:2 2:4 | B=1:10 3:20");
}

TEST_F(MathFunctionsTest, ReductionsOfOneSeriesAreScalars) {
  EXPECT_DOUBLE_EQ(Scalar("AVG(a)"), 7.0 / 3);
  EXPECT_EQ(Scalar("MAX(a)"), 4);
  EXPECT_EQ(Scalar("MIN(a)"), 1);
  EXPECT_EQ(Scalar("SUM(a)"), 7);
  EXPECT_DOUBLE_EQ(Scalar("STDDEV(a)"), std::sqrt(14.0 / 9));  // population
  EXPECT_EQ(Scalar("DATAPOINT_COUNT(a)"), 3);
  EXPECT_EQ(Scalar("STDDEV(b)"), 5);
  // Of a series without values: no value, except SUM (0) and DATAPOINT_COUNT (0).
  EXPECT_TRUE(std::isnan(Scalar("AVG(a / 0)")));
  EXPECT_TRUE(std::isnan(Scalar("MAX(a / 0)")));
  EXPECT_TRUE(std::isnan(Scalar("MIN(a / 0)")));
  EXPECT_TRUE(std::isnan(Scalar("STDDEV(a / 0)")));
  EXPECT_EQ(Scalar("SUM(a / 0)"), 0);
  EXPECT_EQ(Scalar("DATAPOINT_COUNT(a / 0)"), 0);
  EXPECT_EQ(One("a - AVG(a / 0)"), "") << "arithmetic with no value drops every point";
}

TEST_F(MathFunctionsTest, ReductionsOfAnArrayArePerTimestamp) {
  EXPECT_EQ(One("SUM([a, b])"), "0:1 1:12 2:4 3:20");
  EXPECT_EQ(One("SUM(METRICS())"), "0:1 1:12 2:4 3:20");
  EXPECT_EQ(One("AVG([a, b])"), "0:1 1:6 2:4 3:20") << "over the series that have a value";
  EXPECT_EQ(One("MIN([a, b])"), "0:1 1:2 2:4 3:20");
  EXPECT_EQ(One("MAX([a, b])"), "0:1 1:10 2:4 3:20");
  EXPECT_EQ(One("STDDEV([a, b])"), "0:0 1:4 2:0 3:0");
  EXPECT_EQ(One("DATAPOINT_COUNT([a, b])"), "0:1 1:2 2:1 3:1");
  EXPECT_EQ(One("SUM([a, a, a])"), "0:3 1:6 2:12");
  EXPECT_EQ(One("SUM(METRICS('nothing'))"), "");
}

TEST_F(MathFunctionsTest, DifferencesRatesAndRunningSums) {
  EXPECT_EQ(One("DIFF(a)"), "1:1 2:2");
  EXPECT_EQ(One("DIFF(b)"), "3:10");
  EXPECT_EQ(One("DIFF_TIME(a)"), "1:60 2:60");
  EXPECT_EQ(One("DIFF_TIME(b)"), "3:120");
  EXPECT_EQ(One("RATE(a)"), "1:0.01666666667 2:0.03333333333");
  EXPECT_EQ(One("RATE(b)"), "3:0.08333333333");
  EXPECT_EQ(One("RUNNING_SUM(a)"), "0:1 1:3 2:7");
  EXPECT_EQ(Many("RUNNING_SUM(METRICS())"), "A=0:1 1:3 2:7 | B=1:10 3:30");
  EXPECT_EQ(Many("DIFF(METRICS())"), "A=1:1 2:2 | B=3:10");
}

TEST_F(MathFunctionsTest, TimeFunctionsReadTheTimestampsInUtc) {
  EXPECT_EQ(One("MINUTE(a)"), "0:30 1:31 2:32");
  EXPECT_EQ(One("HOUR(a)"), "0:11 1:11 2:11");
  EXPECT_EQ(One("DAY(a)"), "0:5 1:5 2:5") << "ISO day of week: Friday is 5";
  EXPECT_EQ(One("DATE(a)"), "0:27 1:27 2:27");
  EXPECT_EQ(One("MONTH(a)"), "0:11 1:11 2:11");
  EXPECT_EQ(One("YEAR(a)"), "0:2026 1:2026 2:2026");
  EXPECT_EQ(One("EPOCH(b)"), "1:1795779060 3:1795779180");
  EXPECT_EQ(Many("HOUR(METRICS())"), "A=0:11 1:11 2:11 | B=1:11 3:11");
}

TEST_F(MathFunctionsTest, Fill) {
  EXPECT_EQ(One("FILL(a, 0)"), "0:1 1:2 2:4 3:0 4:0");
  EXPECT_EQ(One("FILL(b, -1.5)"), "0:-1.5 1:10 2:-1.5 3:20 4:-1.5");
  EXPECT_EQ(One("FILL(b, REPEAT)"), "1:10 2:10 3:20 4:20") << "nothing before the first value";
  EXPECT_EQ(One("FILL(b, LINEAR)"), "1:10 2:15 3:20") << "only between two values";
  EXPECT_EQ(One("FILL(b, a)"), "0:1 1:10 2:4 3:20") << "from the other series at that time";
  EXPECT_EQ(One("FILL(a / 0, 3)"), "0:3 1:3 2:3 3:3 4:3");
  EXPECT_EQ(Many("FILL(METRICS(), 0)"), "A=0:1 1:2 2:4 3:0 4:0 | B=0:0 1:10 2:0 3:20 4:0");
  EXPECT_EQ(One("FILL(a, AVG(a / 0))"), "0:1 1:2 2:4")
      << "a fill value without value fills nothing";
}

TEST_F(MathFunctionsTest, FirstLastSliceSortRemoveEmptyMetricCount) {
  EXPECT_EQ(One("FIRST([a, b])"), "0:1 1:2 2:4");
  EXPECT_EQ(One("LAST([a, b])"), "1:10 3:20");
  EXPECT_EQ(One("FIRST(a)"), "0:1 1:2 2:4");
  EXPECT_EQ(One("LAST(METRICS('nothing'))"), "");
  EXPECT_EQ(One("SLICE([a, b, a * 2], 1)"), "1:10 3:20");
  EXPECT_EQ(Many("SLICE([a, b, a * 2], 1, 3)"), "B=1:10 3:20 | A=0:2 1:4 2:8");
  EXPECT_EQ(Many("SLICE([a, b], 1, 99)"), "B=1:10 3:20");
  EXPECT_EQ(Many("SLICE([a, b], 2, 1)"), "");
  EXPECT_EQ(One("SLICE([a, b], 5)"), "");
  EXPECT_EQ(Error("SLICE([a, b], -1)"),
            "SLICE at position 1: argument 2 must be a whole number of at least 0");
  EXPECT_EQ(Error("SLICE([a, b], 0.5, 1)"),
            "SLICE at position 1: argument 2 must be a whole number of at least 0");
  EXPECT_EQ(Many("SORT([a, b], MAX, DESC)"), "B=1:10 3:20 | A=0:1 1:2 2:4");
  EXPECT_EQ(Many("SORT([b, a], AVG, ASC)"), "A=0:1 1:2 2:4 | B=1:10 3:20");
  EXPECT_EQ(Many("SORT([b, a], COUNT, ASC)"), "B=1:10 3:20 | A=0:1 1:2 2:4");
  EXPECT_EQ(Many("SORT([a, b], MIN, DESC)"), "B=1:10 3:20 | A=0:1 1:2 2:4");
  EXPECT_EQ(Many("SORT([b, a], STDDEV, ASC)"), "A=0:1 1:2 2:4 | B=1:10 3:20");
  EXPECT_EQ(Many("SORT([a, b, a * 3], SUM, DESC, 2)"), "B=1:10 3:20 | A=0:3 1:6 2:12");
  EXPECT_EQ(Many("SORT([a / 0, a], SUM, ASC)"), "A= | A=0:1 1:2 2:4") << "SUM of nothing is 0";
  EXPECT_EQ(Many("SORT([a / 0, a], MAX, DESC)"), "A=0:1 1:2 2:4 | A=") << "no value sorts last";
  EXPECT_EQ(Many("SORT([a / 0, a], MAX, ASC)"), "A=0:1 1:2 2:4 | A=");
  EXPECT_EQ(Many("REMOVE_EMPTY([a, a / 0, b])"), "A=0:1 1:2 2:4 | B=1:10 3:20");
  EXPECT_EQ(Many("REMOVE_EMPTY(a / 0)"), "");
  EXPECT_EQ(Scalar("METRIC_COUNT([a, b, a])"), 3);
  EXPECT_EQ(Scalar("METRIC_COUNT(METRICS('A'))"), 1);
  EXPECT_EQ(Scalar("METRIC_COUNT(a)"), 1);
}

TEST_F(MathFunctionsTest, IfPeriodAndTimeSeries) {
  EXPECT_EQ(One("IF(a > 1, a, 0)"), "0:0 1:2 2:4");
  EXPECT_EQ(One("IF(a > 1, 100)"), "1:100 2:100") << "no falseValue: no point";
  EXPECT_EQ(One("IF(a > 1, b, 5)"), "0:5 1:10") << "b has no value at minute 2";
  EXPECT_EQ(One("IF(a, AVG(a / 0), 1)"), "") << "a value without value gives no point";
  EXPECT_EQ(Many("IF(METRICS() > 5, 1, 0)"), "A=0:0 1:0 2:0 | B=1:1 3:1");
  EXPECT_EQ(Scalar("PERIOD(a)"), 60);
  EXPECT_EQ(Scalar("PERIOD(METRICS())"), 60);
  EXPECT_EQ(One("TIME_SERIES(5)"), "0:5 1:5 2:5 3:5 4:5");
  EXPECT_EQ(One("TIME_SERIES(PERIOD(a))"), "0:60 1:60 2:60 3:60 4:60");
  EXPECT_EQ(One("TIME_SERIES(METRIC_COUNT(METRICS()))"), "0:2 1:2 2:2 3:2 4:2");
  EXPECT_EQ(One("a / TIME_SERIES(0)"), "") << "every point divides by zero";
  EXPECT_EQ(One("TIME_SERIES(1 / 0)"), "");
}

TEST_F(MathFunctionsTest, MetricsSearchAndAnomalyDetection) {
  EXPECT_EQ(Many("METRICS()"), "A=0:1 1:2 2:4 | B=1:10 3:20");
  EXPECT_EQ(Many("METRICS('B')"), "B=1:10 3:20");
  EXPECT_EQ(Many("SEARCH('{ns,Host} Latency', 'p99', 300)"), "found=0:7");
  ASSERT_EQ(env_.searches.size(), 1u);
  EXPECT_EQ(env_.searches[0].expression, "{ns,Host} Latency");
  EXPECT_EQ(env_.searches[0].stat, "p99");
  EXPECT_EQ(env_.searches[0].period_seconds, 300);
  EXPECT_EQ(One("SUM(SEARCH('x', 'Sum'))"), "0:7");
  EXPECT_EQ(env_.searches.back().period_seconds, 60) << "the expression's period";
  EXPECT_EQ(Error("SEARCH('x', 'Sum', 45)"),
            "SEARCH at position 1: the period must be 1, 5, 10, 20, 30 or a multiple of 60");
  // The band is the environment's (query/anomaly_band.cc); these series come from no MetricStat.
  EXPECT_EQ(Error("a + FIRST(ANOMALY_DETECTION_BAND(a, 2))"),
            "ANOMALY_DETECTION_BAND at position 11: its first argument must be the id of a "
            "MetricStat query (a metric and a statistic), not an expression");
  EXPECT_EQ(Error("ANOMALY_DETECTION_BAND(a, -1)"),
            "ANOMALY_DETECTION_BAND at position 1: the band width (number of standard "
            "deviations) must be a number greater than 0");
}

TEST_F(MathFunctionsTest, GridIsBounded) {
  EvalContext ctx{Timestamp::FromSeconds(kT0), Timestamp::FromSeconds(kT0 + 300),
                  Timestamp::FromSeconds(kT0 + 600), 60, &env_};
  auto g = Grid(ctx, 60);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->size(), 5u);
  EXPECT_EQ(g->front(), Min(0));
  EXPECT_EQ(g->back(), Min(4));
  ctx.start = Timestamp::FromSeconds(kT0 + 30);  // rounded down to the minute
  EXPECT_EQ(Grid(ctx, 60)->front(), Min(0));
  ctx.start = Timestamp::FromSeconds(kT0 - 40 * 86400);
  EXPECT_FALSE(Grid(ctx, 1).ok());
}

}  // namespace
}  // namespace vigil::query::math
