#include "vigil/query/engine.h"

#include <gtest/gtest.h>

namespace vigil::query {
namespace {

constexpr int64_t kNow = 1'800'000'000;  // a whole hour

TEST(RoundStartTest, RoundsByAge) {
  Timestamp now = Timestamp::FromSeconds(kNow);
  // Under 15 days: to the minute.
  EXPECT_EQ(RoundStart(Timestamp::FromSeconds(kNow - 3600 + 17), 60, now).seconds(), kNow - 3600);
  // 15 to 63 days: to 5 minutes.
  int64_t t = kNow - 20 * 86400 + 7 * 60 + 3;
  EXPECT_EQ(RoundStart(Timestamp::FromSeconds(t), 300, now).seconds() % 300, 0);
  EXPECT_EQ(RoundStart(Timestamp::FromSeconds(t), 300, now).seconds(), t - 2 * 60 - 3);
  // Beyond 63 days: to the hour.
  int64_t old = kNow - 70 * 86400 + 1234;
  EXPECT_EQ(RoundStart(Timestamp::FromSeconds(old), 3600, now).seconds(), old - 1234);
  // Sub-minute periods: to the period.
  EXPECT_EQ(RoundStart(Timestamp::FromSeconds(kNow - 100 + 17), 10, now).seconds(), kNow - 100 + 10);
  EXPECT_EQ(RoundStart(Timestamp::FromSeconds(kNow - 100 + 17), 1, now).seconds(), kNow - 100 + 17);
}

TEST(PeriodCountTest, CountsPartialPeriods) {
  EXPECT_EQ(PeriodCount(Timestamp::FromSeconds(0), Timestamp::FromSeconds(86400), 60), 1440);
  EXPECT_EQ(PeriodCount(Timestamp::FromSeconds(0), Timestamp::FromSeconds(86400), 1), 86400);
  EXPECT_EQ(PeriodCount(Timestamp::FromSeconds(0), Timestamp::FromSeconds(61), 60), 2);
  EXPECT_EQ(PeriodCount(Timestamp::FromSeconds(10), Timestamp::FromSeconds(10), 60), 0);
}

TEST(ExtractTest, Statistics) {
  storage::Aggregate a;
  for (double v : {0.0, 2.0, 4.0, 3.5, 7.0, 100.0}) a.Add(v, 1);
  EXPECT_DOUBLE_EQ(Extract(a, Statistic::kAverage), 19.416666666666668);
  EXPECT_EQ(Extract(a, Statistic::kSum), 116.5);
  EXPECT_EQ(Extract(a, Statistic::kMinimum), 0.0);
  EXPECT_EQ(Extract(a, Statistic::kMaximum), 100.0);
  EXPECT_EQ(Extract(a, Statistic::kSampleCount), 6);
  EXPECT_EQ(ParseStatistic("Average"), Statistic::kAverage);
  EXPECT_FALSE(ParseStatistic("average").has_value());
}

TEST(FetchPeriodsTest, AggregatesBucketsIntoPeriodsFromTheRoundedStart) {
  auto store = storage::NewMemoryMetricStore();
  storage::SeriesKey k{"1", "r", "ns", "m", {}};
  std::vector<storage::Datum> data;
  for (int i = 0; i < 10; ++i) {
    storage::Datum d;
    d.series = k;
    d.timestamp = Timestamp::FromSeconds(kNow - 3600 + i * 60);
    d.stats.Add(i, 1);
    data.push_back(d);
  }
  ASSERT_TRUE(store->Write(data).ok());
  FetchRequest req{k, std::nullopt, Timestamp::FromSeconds(kNow - 3600 + 120),
                   Timestamp::FromSeconds(kNow), 300};
  auto r = FetchPeriods(*store, req);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  const auto& p = (*r)[0].periods;
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].start.seconds(), kNow - 3600 + 120);
  EXPECT_EQ(p[0].stats.sum, 2 + 3 + 4 + 5 + 6);
  EXPECT_EQ(p[1].stats.sum, 7 + 8 + 9);
}

}  // namespace
}  // namespace vigil::query
