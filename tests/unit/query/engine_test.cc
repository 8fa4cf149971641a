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
  EXPECT_EQ(RoundStart(Timestamp::FromSeconds(kNow - 100 + 17), 10, now).seconds(),
            kNow - 100 + 10);
  EXPECT_EQ(RoundStart(Timestamp::FromSeconds(kNow - 100 + 17), 1, now).seconds(), kNow - 100 + 17);
}

TEST(PeriodCountTest, CountsPartialPeriods) {
  EXPECT_EQ(PeriodCount(Timestamp::FromSeconds(0), Timestamp::FromSeconds(86400), 60), 1440);
  EXPECT_EQ(PeriodCount(Timestamp::FromSeconds(0), Timestamp::FromSeconds(86400), 1), 86400);
  EXPECT_EQ(PeriodCount(Timestamp::FromSeconds(0), Timestamp::FromSeconds(61), 60), 2);
  EXPECT_EQ(PeriodCount(Timestamp::FromSeconds(10), Timestamp::FromSeconds(10), 60), 0);
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

TEST(PeriodServableTest, RetentionByResolution) {
  Timestamp now = Timestamp::FromSeconds(kNow);
  auto ago = [&](int64_t s) { return Timestamp::FromSeconds(kNow - s); };
  EXPECT_TRUE(PeriodServable(ago(3 * 3600), 1, now));
  EXPECT_FALSE(PeriodServable(ago(3 * 3600 + 1), 1, now));
  EXPECT_FALSE(PeriodServable(ago(3 * 3600 + 1), 30, now));
  EXPECT_TRUE(PeriodServable(ago(3 * 3600 + 1), 60, now));
  EXPECT_TRUE(PeriodServable(ago(15 * 86400), 60, now));
  EXPECT_FALSE(PeriodServable(ago(15 * 86400 + 1), 60, now));
  EXPECT_FALSE(PeriodServable(ago(15 * 86400 + 1), 120, now));
  EXPECT_TRUE(PeriodServable(ago(15 * 86400 + 1), 600, now));
  EXPECT_FALSE(PeriodServable(ago(63 * 86400 + 1), 600, now));
  EXPECT_TRUE(PeriodServable(ago(63 * 86400 + 1), 7200, now));
  EXPECT_TRUE(PeriodServable(ago(-60), 1, now)) << "the future is not old";
}

class QueryMetricTest : public ::testing::Test {
 protected:
  QueryMetricTest() : store_(storage::NewMemoryMetricStore()) {}

  void Put(int64_t at, double value, uint8_t unit = storage::kUnitNone, bool high_res = false,
           double count = 1) {
    storage::Datum d;
    d.series = key_;
    d.unit = unit;
    d.high_resolution = high_res;
    d.timestamp = Timestamp::FromSeconds(at);
    d.stats.Add(value, count);
    ASSERT_TRUE(store_->Write({d}).ok());
  }
  MetricSeries Query(std::string_view stat, int64_t start, int64_t end, int period = 60,
                     std::optional<uint8_t> unit = std::nullopt) {
    MetricQuery q;
    q.series = key_;
    q.unit = unit;
    q.statistic = *Statistic::Parse(stat);
    q.period_seconds = period;
    q.start = Timestamp::FromSeconds(start);
    q.end = Timestamp::FromSeconds(end);
    auto r = QueryMetric(*store_, q, Timestamp::FromSeconds(kNow));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : MetricSeries{};
  }

  storage::SeriesKey key_{"123456789012", "us-east-1", "ns", "m", {}};
  std::unique_ptr<storage::MetricStore> store_;
};

TEST_F(QueryMetricTest, PointsAreStampedWithPeriodStartsFromTheRoundedStart) {
  for (int i = 0; i < 6; ++i) Put(kNow - 3600 + i * 60 + 5, i);
  // StartTime 17 s past a minute is rounded down; 120-s periods from there.
  auto s = Query("Sum", kNow - 3600 + 17, kNow - 3600 + 360);
  ASSERT_EQ(s.points.size(), 6u);
  auto two = Query("Sum", kNow - 3600 + 17, kNow - 3600 + 360, 120);
  EXPECT_EQ(two.points, (std::vector<Point>{{Timestamp::FromSeconds(kNow - 3600), 1, 2},
                                            {Timestamp::FromSeconds(kNow - 3600 + 120), 5, 2},
                                            {Timestamp::FromSeconds(kNow - 3600 + 240), 9, 2}}));
  // EndTime is exclusive, StartTime inclusive.
  EXPECT_EQ(Query("SampleCount", kNow - 3600 + 60, kNow - 3600 + 180).points.size(), 2u);
}

TEST_F(QueryMetricTest, WithoutAUnitOnlyTheAlphabeticallyFirstUnitIsRead) {
  Put(kNow - 600, 60000, *storage::UnitCode("Milliseconds"));
  Put(kNow - 600, 60, *storage::UnitCode("Seconds"));
  auto s = Query("Sum", kNow - 3600, kNow);
  ASSERT_EQ(s.points.size(), 1u);
  EXPECT_EQ(s.points[0].value, 60000);
  ASSERT_EQ(s.units.size(), 2u);
  EXPECT_EQ(storage::UnitName(s.units[0]), "Milliseconds");
  Put(kNow - 600, 5, *storage::UnitCode("Count"));
  EXPECT_EQ(Query("Sum", kNow - 3600, kNow).points[0].value, 5);
  EXPECT_EQ(Query("Sum", kNow - 3600, kNow, 60, storage::UnitCode("Seconds")).points[0].value, 60);
}

TEST_F(QueryMetricTest, PercentilesPerPeriodAndUnavailablePeriodsAreOmitted) {
  for (int v = 1; v <= 10; ++v) Put(kNow - 600, v);
  Put(kNow - 540, -1);
  Put(kNow - 540, 5);
  auto s = Query("p90", kNow - 3600, kNow);
  ASSERT_EQ(s.points.size(), 1u) << "the period with a negative value has no p90";
  EXPECT_EQ(s.points[0].value, 9);
  EXPECT_EQ(s.points[0].sample_count, 10);
  EXPECT_EQ(Query("Sum", kNow - 3600, kNow).points.size(), 2u);
}

TEST_F(QueryMetricTest, PeriodsTooFineForTheirAgeReturnNothing) {
  Put(kNow - 4 * 3600, 1, storage::kUnitNone, true);
  Put(kNow - 600, 2, storage::kUnitNone, true);
  auto fine = Query("Sum", kNow - 5 * 3600, kNow, 10);
  ASSERT_EQ(fine.points.size(), 1u);
  EXPECT_EQ(fine.points[0].value, 2);
  EXPECT_EQ(Query("Sum", kNow - 5 * 3600, kNow, 60).points.size(), 2u);
}

TEST_F(QueryMetricTest, ThirtySecondPeriodOverStandardData) {
  for (int s : {0, 10, 35, 50}) Put(kNow - 1800 + s, 1);
  auto r = Query("SampleCount", kNow - 2400, kNow, 30);
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0], (Point{Timestamp::FromSeconds(kNow - 1800), 4, 4}));
}

}  // namespace
}  // namespace vigil::query
