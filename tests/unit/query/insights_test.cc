#include "vigil/query/insights.h"

#include <gtest/gtest.h>

namespace vigil::query {
namespace {

constexpr int64_t kNow = 1'800'000'000;  // a whole hour
constexpr char kAccount[] = "123456789012";
constexpr char kRegion[] = "us-east-1";

storage::SeriesKey Key(std::string ns, std::string name,
                       std::vector<storage::Dimension> dims = {}) {
  storage::SeriesKey k{kAccount, kRegion, std::move(ns), std::move(name), std::move(dims)};
  k.Canonicalize();
  return k;
}

InsightsQuery Parse(std::string_view text) {
  auto r = ParseInsightsQuery(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : InsightsQuery{};
}

std::string ErrorOf(std::string_view text) {
  auto r = ParseInsightsQuery(text);
  if (r.ok()) return "(parsed)";
  EXPECT_EQ(r.error().code, ErrorCode::kValidationError);
  return r.error().message;
}

TEST(InsightsParseTest, FullQuery) {
  auto q = Parse(
      "SELECT SUM(RequestCount) FROM SCHEMA(\"AWS/ApplicationELB\", LoadBalancer, "
      "AvailabilityZone) WHERE LoadBalancer = 'app/load-balancer-1' GROUP BY AvailabilityZone "
      "ORDER BY MAX() DESC LIMIT 5");
  EXPECT_EQ(q.function, InsightsFunction::kSum);
  EXPECT_EQ(q.metric_name, "RequestCount");
  EXPECT_EQ(q.namespace_, "AWS/ApplicationELB");
  ASSERT_TRUE(q.schema);
  EXPECT_EQ(*q.schema, (std::vector<std::string>{"AvailabilityZone", "LoadBalancer"}));
  ASSERT_GE(q.where_root, 0);
  const auto& c = q.where[q.where_root];
  EXPECT_EQ(c.kind, InsightsCondition::Kind::kEquals);
  EXPECT_EQ(c.key, "LoadBalancer");
  EXPECT_EQ(c.values, (std::vector<std::string>{"app/load-balancer-1"}));
  EXPECT_EQ(q.group_by, (std::vector<std::string>{"AvailabilityZone"}));
  EXPECT_EQ(q.order_by, InsightsFunction::kMax);
  EXPECT_TRUE(q.descending);
  EXPECT_EQ(q.limit, 5u);
}

TEST(InsightsParseTest, KeywordsAnyCaseIdentifiersQuoted) {
  auto q = Parse("select avg(\"My.Metric\") from MyApp where \"Host Name\" != 'a\\'b'");
  EXPECT_EQ(q.function, InsightsFunction::kAvg);
  EXPECT_EQ(q.metric_name, "My.Metric");
  EXPECT_EQ(q.namespace_, "MyApp");
  EXPECT_FALSE(q.schema);
  EXPECT_EQ(q.where[q.where_root].kind, InsightsCondition::Kind::kNotEquals);
  EXPECT_EQ(q.where[q.where_root].key, "Host Name");
  EXPECT_EQ(q.where[q.where_root].values[0], "a'b");
  EXPECT_EQ(q.limit, kInsightsMaxSeries);
  EXPECT_FALSE(q.order_by);
  // Escaped double quotes inside a name; a reserved word as a quoted name.
  q = Parse(R"(SELECT AVG("Bytes\"Input\"") FROM "LIMIT")");
  EXPECT_EQ(q.metric_name, "Bytes\"Input\"");
  EXPECT_EQ(q.namespace_, "LIMIT");
  // SCHEMA with the namespace alone: no dimensions.
  q = Parse("SELECT MIN(m) FROM SCHEMA(ns) ORDER BY count() asc");
  ASSERT_TRUE(q.schema);
  EXPECT_TRUE(q.schema->empty());
  EXPECT_EQ(q.order_by, InsightsFunction::kCount);
  EXPECT_FALSE(q.descending);
}

TEST(InsightsParseTest, WhereOperatorsAndPrecedence) {
  auto q = Parse(
      "SELECT MAX(m) FROM ns WHERE a = 'x' OR b IN ('1', '2') AND NOT c LIKE 'p%' AND d NOT IN "
      "('z') AND e NOT LIKE '%q'");
  const auto& w = q.where;
  const auto& root = w[q.where_root];
  ASSERT_EQ(root.kind, InsightsCondition::Kind::kOr);  // OR binds loosest
  EXPECT_EQ(w[root.children[0]].kind, InsightsCondition::Kind::kEquals);
  EXPECT_EQ(w[root.children[1]].kind, InsightsCondition::Kind::kAnd);
  std::vector<InsightsCondition::Kind> kinds;
  for (const auto& c : w) kinds.push_back(c.kind);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), InsightsCondition::Kind::kIn), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), InsightsCondition::Kind::kNotIn), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), InsightsCondition::Kind::kNot), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), InsightsCondition::Kind::kNotLike), kinds.end());
}

TEST(InsightsParseTest, ErrorsNameTheProblemAndPosition) {
  EXPECT_EQ(ErrorOf(""), "Invalid Metrics Insights query: expected SELECT, found end of query at "
                         "character 1");
  EXPECT_EQ(ErrorOf("SELECT P99(m) FROM ns"),
            "Invalid Metrics Insights query: expected AVG, COUNT, MAX, MIN or SUM after SELECT, "
            "found 'P99' at character 8");
  EXPECT_EQ(ErrorOf("SELECT AVG(m) FROM AWS/EC2"),
            "Invalid Metrics Insights query: unexpected character '/' (names with characters "
            "other than letters, digits and '_' must be double-quoted) at character 23");
  EXPECT_EQ(ErrorOf("SELECT AVG(m) FROM ns WHERE k = \"v\""),
            "Invalid Metrics Insights query: label values must be enclosed in single quotes, "
            "found \"v\" at character 33");
  EXPECT_EQ(ErrorOf("SELECT AVG(limit) FROM ns"),
            "Invalid Metrics Insights query: 'limit' is a reserved keyword: enclose the name in "
            "double quotes at character 12");
  EXPECT_EQ(ErrorOf("SELECT AVG(m) FROM 'ns'"),
            "Invalid Metrics Insights query: names are double-quoted; single quotes are for "
            "label values (found 'ns') at character 20");
  EXPECT_EQ(ErrorOf("SELECT AVG(m) FROM ns LIMIT 501"),
            "Invalid Metrics Insights query: LIMIT needs a whole number from 1 to 500 at "
            "character 29");
  EXPECT_EQ(ErrorOf("SELECT AVG(m) FROM ns LIMIT 0"), ErrorOf("SELECT AVG(m) FROM ns LIMIT 501"));
  EXPECT_EQ(ErrorOf("SELECT AVG(m) FROM ns ORDER BY MAX(m)"),
            "Invalid Metrics Insights query: expected ')' (ORDER BY functions take no argument), "
            "found 'm' at character 36");
  EXPECT_EQ(ErrorOf("SELECT AVG(m) FROM ns WHERE k = 'v"),
            "Invalid Metrics Insights query: unterminated single quote at character 33");
  EXPECT_EQ(ErrorOf("SELECT AVG(m) FROM ns WHERE (k = 'v'"),
            "Invalid Metrics Insights query: '(' is not closed by ')' at character 29");
  EXPECT_EQ(ErrorOf("SELECT AVG(m) FROM ns WHERE k NOT = 'v'"),
            "Invalid Metrics Insights query: expected IN or LIKE after NOT, found '=' at "
            "character 35");
  EXPECT_EQ(ErrorOf("SELECT AVG(m) FROM ns WHERE k > 'v'"),
            "Invalid Metrics Insights query: unexpected character '>' (names with characters "
            "other than letters, digits and '_' must be double-quoted) at character 31");
  EXPECT_EQ(ErrorOf("SELECT AVG(m) FROM ns GROUP BY a LIMIT 5 ORDER BY SUM()"),
            "Invalid Metrics Insights query: unexpected 'ORDER' at character 42");
  EXPECT_EQ(ErrorOf("SELECT AVG(m) FROM SCHEMA(ns a)"),
            "Invalid Metrics Insights query: expected ',' or ')' in SCHEMA, found 'a' at "
            "character 30");
  EXPECT_EQ(ErrorOf("SELECT AVG(\"\") FROM ns"),
            "Invalid Metrics Insights query: empty double-quoted name at character 12");
}

TEST(InsightsParseTest, RecognisesInsightsExpressions) {
  EXPECT_TRUE(IsInsightsQuery("SELECT AVG(m) FROM ns"));
  EXPECT_TRUE(IsInsightsQuery("  select\tavg(m) FROM ns"));
  EXPECT_TRUE(IsInsightsQuery("SELECT"));
  EXPECT_FALSE(IsInsightsQuery("SELECTED(m1)"));
  EXPECT_FALSE(IsInsightsQuery("SEARCH('{ns}', 'Sum', 60)"));
  EXPECT_FALSE(IsInsightsQuery("m1 * 2"));
}

TEST(InsightsMatchTest, SchemaAndWhere) {
  auto q = Parse("SELECT AVG(CPUUtilization) FROM SCHEMA(\"AWS/EC2\", InstanceId)");
  EXPECT_TRUE(InsightsMatches(q, Key("AWS/EC2", "CPUUtilization", {{"InstanceId", "i-1"}})));
  EXPECT_FALSE(InsightsMatches(q, Key("AWS/EC2", "CPUUtilization")));
  EXPECT_FALSE(InsightsMatches(
      q, Key("AWS/EC2", "CPUUtilization", {{"InstanceId", "i-1"}, {"InstanceType", "t2"}})));
  EXPECT_FALSE(InsightsMatches(q, Key("AWS/EC2", "NetworkIn", {{"InstanceId", "i-1"}})));
  q = Parse("SELECT AVG(CPUUtilization) FROM \"AWS/EC2\"");
  EXPECT_TRUE(InsightsMatches(q, Key("AWS/EC2", "CPUUtilization")));
  EXPECT_TRUE(InsightsMatches(
      q, Key("AWS/EC2", "CPUUtilization", {{"InstanceId", "i-1"}, {"InstanceType", "t2"}})));
  EXPECT_FALSE(InsightsMatches(q, Key("aws/ec2", "CPUUtilization")));

  auto m = [](std::string_view where, std::vector<storage::Dimension> dims) {
    std::string text = "SELECT AVG(m) FROM ns WHERE ";
    text += where;
    return InsightsMatches(Parse(text), Key("ns", "m", std::move(dims)));
  };
  EXPECT_TRUE(m("t = 'c3.4xlarge'", {{"t", "c3.4xlarge"}}));
  EXPECT_FALSE(m("t = 'c3.4xlarge'", {{"t", "c3.large"}}));
  EXPECT_FALSE(m("t = 'c3.4xlarge'", {}));
  EXPECT_TRUE(m("t != 'c3.4xlarge'", {{"t", "c3.large"}}));
  EXPECT_FALSE(m("t != 'c3.4xlarge'", {{"t", "c3.4xlarge"}}));
  EXPECT_TRUE(m("t != 'c3.4xlarge'", {}));
  EXPECT_TRUE(m("t IN ('a', 'b')", {{"t", "b"}}));
  EXPECT_FALSE(m("t IN ('a', 'b')", {{"t", "c"}}));
  EXPECT_TRUE(m("t NOT IN ('a', 'b')", {{"t", "c"}}));
  EXPECT_TRUE(m("t LIKE 'prod-%'", {{"t", "prod-web"}}));
  EXPECT_TRUE(m("t LIKE '%web%'", {{"t", "prod-web-1"}}));
  EXPECT_FALSE(m("t LIKE 'prod-%'", {{"t", "dev-web"}}));
  EXPECT_TRUE(m("t NOT LIKE 'prod-%'", {{"t", "dev-web"}}));
  EXPECT_TRUE(m("a = '1' AND b = '2'", {{"a", "1"}, {"b", "2"}}));
  EXPECT_FALSE(m("a = '1' AND b = '2'", {{"a", "1"}, {"b", "3"}}));
  EXPECT_TRUE(m("a = '9' OR b = '2'", {{"a", "1"}, {"b", "2"}}));
  EXPECT_FALSE(m("NOT (a = '9' OR b = '2')", {{"a", "1"}, {"b", "2"}}));
  EXPECT_TRUE(m("a = '1' AND (b = '9' OR b = '2')", {{"a", "1"}, {"b", "2"}}));
}

class InsightsExecTest : public ::testing::Test {
 protected:
  void Put(storage::SeriesKey k, int64_t t, double v) {
    storage::Datum d;
    d.series = std::move(k);
    d.timestamp = Timestamp::FromSeconds(t);
    d.stats.Add(v, 1);
    ASSERT_TRUE(store_->Write({d}).ok());
  }
  InsightsResult Run(std::string_view text, int64_t start_ago = 3600, int period = 60) {
    auto r = ExecuteInsightsQuery(*store_, kAccount, kRegion, Parse(text),
                                  Timestamp::FromSeconds(kNow - start_ago), now_, period, now_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r).value() : InsightsResult{};
  }
  std::unique_ptr<storage::MetricStore> store_ = storage::NewMemoryMetricStore();
  Timestamp now_ = Timestamp::FromSeconds(kNow);
};

TEST_F(InsightsExecTest, AggregatesAllMatchingSeriesPerPeriod) {
  Put(Key("App", "Latency", {{"Host", "a"}}), kNow - 120, 10);
  Put(Key("App", "Latency", {{"Host", "a"}}), kNow - 100, 30);
  Put(Key("App", "Latency", {{"Host", "b"}}), kNow - 120, 50);
  Put(Key("App", "Latency", {{"Host", "b"}}), kNow - 60, 7);
  Put(Key("App", "Other", {{"Host", "b"}}), kNow - 60, 1000);
  struct Case {
    const char* fn;
    double first, second;
  };
  for (Case c : {Case{"AVG", 30, 7}, Case{"SUM", 90, 7}, Case{"COUNT", 3, 1}, Case{"MIN", 10, 7},
                 Case{"MAX", 50, 7}}) {
    std::string text = "SELECT ";
    text += c.fn;
    text += "(Latency) FROM App";
    auto r = Run(text);
    ASSERT_EQ(r.series.size(), 1u) << c.fn;
    const auto& s = r.series[0];
    EXPECT_TRUE(s.group.empty());
    EXPECT_EQ(s.label, "");
    ASSERT_EQ(s.values.size(), 2u) << c.fn;
    EXPECT_EQ(s.timestamps[0].seconds(), kNow - 120);
    EXPECT_EQ(s.timestamps[1].seconds(), kNow - 60);
    EXPECT_DOUBLE_EQ(s.values[0], c.first) << c.fn;
    EXPECT_DOUBLE_EQ(s.values[1], c.second) << c.fn;
    EXPECT_EQ(r.metrics_matched, 2u);
  }
}

TEST_F(InsightsExecTest, GroupByWithOtherOrderAndLimit) {
  Put(Key("App", "Errors", {{"Service", "web"}, {"Op", "get"}}), kNow - 300, 5);
  Put(Key("App", "Errors", {{"Service", "web"}, {"Op", "put"}}), kNow - 300, 1);
  Put(Key("App", "Errors", {{"Service", "api"}, {"Op", "get"}}), kNow - 300, 9);
  Put(Key("App", "Errors", {{"Op", "get"}}), kNow - 300, 2);  // no Service: Other
  Put(Key("App", "Errors", {{"Service", "web"}, {"Op", "get"}, {"Zone", "z"}}), kNow - 240, 4);

  auto r = Run("SELECT SUM(Errors) FROM App GROUP BY Service, Op");
  std::vector<std::string> labels;
  for (const auto& s : r.series) labels.push_back(s.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"api get", "web get", "web put", "Other get"}));
  EXPECT_EQ(r.series[3].group, (std::vector<std::string>{"Other", "get"}));
  EXPECT_EQ(r.series[1].values, (std::vector<double>{5, 4}));

  r = Run("SELECT SUM(Errors) FROM App GROUP BY Service ORDER BY SUM() DESC");
  labels.clear();
  for (const auto& s : r.series) labels.push_back(s.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"web", "api", "Other"}));  // 10, 9, 2

  r = Run("SELECT SUM(Errors) FROM App GROUP BY Service ORDER BY MAX() ASC LIMIT 2");
  labels.clear();
  for (const auto& s : r.series) labels.push_back(s.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"Other", "web"}));  // max 2, 6 (then api 9)
  EXPECT_TRUE(r.series_truncated);

  r = Run("SELECT COUNT(Errors) FROM SCHEMA(App, Service, Op) WHERE Op = 'get' GROUP BY Service");
  labels.clear();
  for (const auto& s : r.series) labels.push_back(s.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"api", "web"}));
  EXPECT_FALSE(r.series_truncated);
}

TEST_F(InsightsExecTest, OnlyTheLastThreeHours) {
  auto k = Key("App", "Hits");
  Put(k, kNow - 4 * 3600, 100);   // outside the window
  Put(k, kNow - 3 * 3600 + 30, 5);  // in the window's first minute... rounded forward
  Put(k, kNow - 3 * 3600 + 60, 6);
  Put(k, kNow - 60, 7);
  auto r = Run("SELECT SUM(Hits) FROM App", 6 * 3600);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].values, (std::vector<double>{5, 6, 7}));
  EXPECT_EQ(r.series[0].timestamps.front().seconds(), kNow - 3 * 3600);

  // A range entirely older than three hours has nothing.
  auto old = ExecuteInsightsQuery(*store_, kAccount, kRegion, Parse("SELECT SUM(Hits) FROM App"),
                                  Timestamp::FromSeconds(kNow - 6 * 3600),
                                  Timestamp::FromSeconds(kNow - 4 * 3600), 60, now_);
  ASSERT_TRUE(old.ok());
  ASSERT_EQ(old->series.size(), 1u);
  EXPECT_TRUE(old->series[0].values.empty());

  // A metric whose newest data is older than three hours is not a candidate.
  Put(Key("App", "Stale"), kNow - 4 * 3600, 1);
  EXPECT_EQ(Run("SELECT SUM(Stale) FROM App", 6 * 3600).metrics_matched, 0u);
}

TEST_F(InsightsExecTest, ProcessesAtMostTenThousandMetrics) {
  std::vector<storage::Datum> data;
  for (int i = 0; i < 10'001; ++i) {
    storage::Datum d;
    std::string host = "h";
    host += std::to_string(100'000 + i);
    d.series = Key("Fleet", "Load", {{"Host", host}});
    d.timestamp = Timestamp::FromSeconds(kNow - 60);
    d.stats.Add(1, 1);
    data.push_back(std::move(d));
  }
  ASSERT_TRUE(store_->Write(data).ok());
  auto r = Run("SELECT SUM(Load) FROM Fleet");
  EXPECT_TRUE(r.metrics_truncated);
  EXPECT_EQ(r.metrics_matched, 10'001u);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].values, (std::vector<double>{10'000}));
  // Grouped: the 500 series cap.
  r = Run("SELECT SUM(Load) FROM Fleet GROUP BY Host");
  EXPECT_EQ(r.series.size(), kInsightsMaxSeries);
  EXPECT_TRUE(r.series_truncated);
  EXPECT_EQ(r.series[0].label, "h100000");

  auto results = ToMetricDataResults(r, "q1");
  ASSERT_EQ(results.size(), kInsightsMaxSeries);
  EXPECT_EQ(results[0].id, "q1");
  EXPECT_EQ(results[0].label, "h100000");
  ASSERT_EQ(results[0].messages.size(), 2u);
  EXPECT_EQ(results[0].messages[0].code, "MaxMetricsLimitExceeded");
  EXPECT_EQ(results[0].messages[1].code, "MaxSeriesLimitExceeded");
}

TEST_F(InsightsExecTest, ResultsForGetMetricData) {
  Put(Key("App", "Hits"), kNow - 60, 3);
  auto r = Run("SELECT SUM(Hits) FROM App");
  auto results = ToMetricDataResults(r, "q1");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].label, "q1");
  EXPECT_EQ(results[0].values, (std::vector<double>{3}));
  EXPECT_EQ(results[0].status, DataStatus::kComplete);
  EXPECT_TRUE(results[0].messages.empty());
  // GROUP BY with no data: the id still appears once, empty.
  results = ToMetricDataResults(Run("SELECT SUM(Nothing) FROM App GROUP BY Host"), "q2");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].id, "q2");
  EXPECT_TRUE(results[0].values.empty());

  auto bad = ExecuteInsightsQuery(*store_, kAccount, kRegion, Parse("SELECT SUM(Hits) FROM App"),
                                  now_, now_, 0, now_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kValidationError);
}

TEST(InsightsRequestTest, OneInsightsQueryPerRequest) {
  std::vector<MetricDataQuery> qs(3);
  qs[0].expression = "SELECT AVG(m) FROM ns";
  qs[1].expression = "m1 * 2";
  EXPECT_TRUE(CheckInsightsQueryCount(qs).ok());
  qs[2].expression = "select sum(m) from ns";
  auto st = CheckInsightsQueryCount(qs);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kValidationError);
  EXPECT_EQ(st.error().message,
            "A GetMetricData request may contain only one Metrics Insights query; this one "
            "contains 2.");
}

}  // namespace
}  // namespace vigil::query
