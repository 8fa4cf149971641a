// ANOMALY_DETECTION_BAND of a metric math expression (what a MetricMathAnomalyDetector and a band
// alarm on an expression use) through query::GetMetricData over the memory store: the band is
// trained on the expression's own values, covers them, is causal (a later spike leaves every
// earlier band value unchanged), and an inline expression stays an error.
#include <gtest/gtest.h>

#include <cmath>

#include "vigil/query/metric_data.h"

namespace vigil::query {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kNow = 1'800'000'000 - 1'800'000'000 % kDay;  // midnight UTC
constexpr int64_t kRangeStart = kNow - 6 * 3600;
constexpr int kPeriod = 300;

storage::SeriesKey Key(std::string name) {
  storage::SeriesKey k{"123456789012", "us-east-1", "ns", std::move(name), {}};
  k.Canonicalize();
  return k;
}

double Pattern(int64_t t) {
  const double phase = 2 * M_PI * static_cast<double>(t % kDay) / kDay;
  const double noise = static_cast<double>((t / kPeriod * 37) % 11 - 5) * 0.4;
  return 100 + 50 * std::sin(phase) + noise;
}

class ExpressionBandTest : public ::testing::Test {
 protected:
  ExpressionBandTest() : store_(storage::NewMemoryMetricStore()) {
    for (int64_t t = kNow - 4 * kDay; t < kNow; t += kPeriod) Put("cpu", t, Pattern(t));
  }

  void Put(const std::string& metric, int64_t at, double v) {
    storage::Datum d;
    d.series = Key(metric);
    d.timestamp = Timestamp::FromSeconds(at);
    d.stats.Add(v, 1);
    ASSERT_TRUE(store_->Write({d}).ok());
  }

  static MetricDataRequest Request(std::string expression, std::string band) {
    MetricDataRequest r;
    MetricDataQuery m;
    m.id = "m1";
    m.series = Key("cpu");
    m.statistic = *Statistic::Parse("Average");
    m.period_seconds = kPeriod;
    m.return_data = false;
    MetricDataQuery e;
    e.id = "e1";
    e.expression = std::move(expression);
    e.period_seconds = 0;
    e.series.account = m.series.account;
    e.series.region = m.series.region;
    MetricDataQuery b = e;
    b.id = "band";
    b.expression = std::move(band);
    r.queries = {m, e, b};
    r.start = Timestamp::FromSeconds(kRangeStart);
    r.end = Timestamp::FromSeconds(kNow);
    r.order = ScanOrder::kTimestampAscending;
    return r;
  }

  Result<MetricDataPage> Get(const MetricDataRequest& r) {
    return GetMetricData(*store_, r, Timestamp::FromSeconds(kNow));
  }

  std::unique_ptr<storage::MetricStore> store_;
};

TEST_F(ExpressionBandTest, BandOfTheExpressionsOwnValues) {
  auto page = Get(Request("m1 * 2", "ANOMALY_DETECTION_BAND(e1, 3)"));
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->results.size(), 3u);
  const auto& e = page->results[0];
  const auto& upper = page->results[1];
  const auto& lower = page->results[2];
  EXPECT_EQ(e.id, "e1");
  EXPECT_EQ(upper.id, "band");
  EXPECT_EQ(upper.label, "e1 (upper)");
  EXPECT_EQ(lower.label, "e1 (lower)");
  ASSERT_EQ(e.values.size(), 72u);
  ASSERT_EQ(upper.timestamps, e.timestamps);
  ASSERT_EQ(lower.timestamps, e.timestamps);
  int inside = 0;
  for (size_t i = 0; i < e.values.size(); ++i) {
    EXPECT_LT(lower.values[i], upper.values[i]);
    EXPECT_GT(lower.values[i], Pattern(e.timestamps[i].seconds()) * 2 - 40)
        << "trained on m1 * 2, not on m1";
    if (lower.values[i] <= e.values[i] && e.values[i] <= upper.values[i]) ++inside;
  }
  EXPECT_GE(inside, 68) << "the learnt pattern stays inside the band";
}

TEST_F(ExpressionBandTest, LaterSpikeLeavesEarlierBandValuesUnchanged) {
  const auto r = Request("m1 + 10", "ANOMALY_DETECTION_BAND(e1)");
  auto before = Get(r);
  ASSERT_TRUE(before.ok()) << before.error().message;
  const int64_t spike_at = kNow - 2 * 3600;
  Put("cpu", spike_at, 5000);
  auto after = Get(r);
  ASSERT_TRUE(after.ok()) << after.error().message;
  ASSERT_EQ(before->results.size(), 3u);
  ASSERT_EQ(after->results.size(), 3u);
  size_t compared = 0;
  for (int s = 1; s <= 2; ++s) {
    const auto& b = before->results[s];
    const auto& a = after->results[s];
    for (size_t i = 0; i < b.timestamps.size() && b.timestamps[i].seconds() <= spike_at; ++i) {
      ASSERT_LT(i, a.timestamps.size());
      EXPECT_EQ(a.timestamps[i], b.timestamps[i]);
      EXPECT_EQ(a.values[i], b.values[i]) << "band at " << b.timestamps[i].seconds();
      ++compared;
    }
  }
  EXPECT_GE(compared, 2u * 49u);
  // The spike itself is outside the band the model had before it.
  const auto& e = after->results[0];
  const auto& upper = after->results[1];
  for (size_t i = 0; i < e.timestamps.size(); ++i) {
    if (e.timestamps[i].seconds() == spike_at) {
      EXPECT_GT(e.values[i], upper.values[i]);
    }
  }
}

TEST_F(ExpressionBandTest, InlineExpressionsAreStillErrors) {
  auto page = Get(Request("m1 * 2", "ANOMALY_DETECTION_BAND(e1 * 2)"));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::kValidationError);
}

}  // namespace
}  // namespace vigil::query
