// ANOMALY_DETECTION_BAND of a metric math expression (what a MetricMathAnomalyDetector and a band
// alarm on an expression use) through query::GetMetricData over the memory store: the band is
// trained on the expression's own values, covers them, is causal (a later spike leaves every
// earlier band value unchanged), and an inline expression stays an error; the matching math
// detector's settings (expression_anomaly_settings) are applied as a metric detector's are
// (excluded ranges, PeriodicSpikes), and its persisted model serves its block only.
#include <gtest/gtest.h>

#include <cmath>

#include "query/anomaly_band.h"
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

  static MetricDataRequest Request(std::string expression, std::string band,
                                   std::string metric = "cpu") {
    MetricDataRequest r;
    MetricDataQuery m;
    m.id = "m1";
    m.series = Key(std::move(metric));
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

// The band series (upper, lower) of a page of Request(...).
struct Bands {
  std::vector<Timestamp> times;
  std::vector<double> upper, lower, values;
};
Bands BandsOf(const MetricDataPage& page) {
  Bands b;
  if (page.results.size() != 3) {
    ADD_FAILURE() << "expected e1 and the two band series, got " << page.results.size();
    return b;
  }
  b.values = page.results[0].values;
  b.times = page.results[1].timestamps;
  b.upper = page.results[1].values;
  b.lower = page.results[2].values;
  return b;
}

TEST_F(ExpressionBandTest, DetectorsExcludedOutageDoesNotDragTheBand) {
  // The pattern, with an outage (0) for the 3 hours before the range: without the detector's
  // ExcludedTimeRanges the band's level follows the outage; with them the band follows the
  // pattern.
  const int64_t outage_start = kRangeStart - 3 * 3600;
  for (int64_t t = kNow - 4 * kDay; t < kNow; t += kPeriod) {
    Put("gappy", t, t >= outage_start && t < kRangeStart ? 0.0 : Pattern(t));
  }
  auto r = Request("m1 * 2", "ANOMALY_DETECTION_BAND(e1)", "gappy");
  auto plain = Get(r);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  std::vector<std::string> asked;
  r.expression_anomaly_settings = [&](const std::vector<MetricDataQuery>& queries,
                                      std::string_view id) -> std::optional<AnomalyBandSettings> {
    EXPECT_EQ(queries.size(), 3u);
    asked.emplace_back(id);
    AnomalyBandSettings s;
    s.excluded.emplace_back(Timestamp::FromSeconds(outage_start),
                            Timestamp::FromSeconds(kRangeStart));
    return s;
  };
  auto excluded = Get(r);
  ASSERT_TRUE(excluded.ok()) << excluded.error().message;
  EXPECT_EQ(asked, std::vector<std::string>{"e1"}) << "asked once, for the band's expression";
  const Bands a = BandsOf(*plain), b = BandsOf(*excluded);
  ASSERT_FALSE(a.times.empty());
  ASSERT_FALSE(b.times.empty());
  // The first hour of the range: the block right after the outage.
  int outside_plain = 0, centred_excluded = 0, first_hour = 0;
  for (size_t i = 0; i < b.times.size() && b.times[i].seconds() < kRangeStart + 3600; ++i) {
    ++first_hour;
    const double want = Pattern(b.times[i].seconds()) * 2;
    // Centred on the pattern (the noise is ±4; the outage would pull the centre down by ~100).
    if (std::abs((b.lower[i] + b.upper[i]) / 2 - want) < 10) ++centred_excluded;
    ASSERT_LT(i, a.times.size());
    ASSERT_EQ(a.times[i], b.times[i]);
    if (want > a.upper[i]) ++outside_plain;
  }
  EXPECT_EQ(first_hour, 12);
  EXPECT_EQ(centred_excluded, first_hour) << "the excluded outage does not drag the band";
  EXPECT_EQ(outside_plain, first_hour) << "without the detector the band follows the outage";
}

TEST_F(ExpressionBandTest, DetectorsPeriodicSpikesKeepADailySpikeInside) {
  // 10 ± 1 with one 5-minute sample of 60 at 20:00 every day, two weeks long; the range (18:00
  // to midnight) holds that day's spike.
  const int64_t spike_phase = 20 * 3600;
  uint64_t lcg = 7;
  for (int64_t t = kNow - 14 * kDay; t < kNow; t += kPeriod) {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    const double noise = 2.0 * static_cast<double>(lcg >> 11) / 9007199254740992.0 - 1.0;
    Put("spiky", t, (t % kDay == spike_phase ? 60.0 : 10.0) + noise);
  }
  auto r = Request("m1 + 0", "ANOMALY_DETECTION_BAND(e1)", "spiky");
  auto upper_at_spike = [&](const MetricDataRequest& req) -> std::optional<double> {
    auto page = Get(req);
    EXPECT_TRUE(page.ok()) << page.error().message;
    if (!page.ok()) return std::nullopt;
    const Bands b = BandsOf(*page);
    for (size_t i = 0; i < b.times.size(); ++i) {
      if (b.times[i].seconds() % kDay == spike_phase) return b.upper[i];
    }
    return std::nullopt;
  };
  auto without = upper_at_spike(r);
  r.expression_anomaly_settings = [](const std::vector<MetricDataQuery>&,
                                     std::string_view) -> std::optional<AnomalyBandSettings> {
    AnomalyBandSettings s;
    s.periodic_spikes = true;
    return s;
  };
  auto with = upper_at_spike(r);
  ASSERT_TRUE(without.has_value());
  ASSERT_TRUE(with.has_value());
  EXPECT_LT(*without, 55.0) << "the pooled profile smooths the one-sample spike away";
  EXPECT_GE(*with, 60.0) << "PeriodicSpikes keeps it in the profile";
}

TEST_F(ExpressionBandTest, PersistedModelServesItsBlockOnly) {
  // A model "persisted" for the last block (trained on other data, so its band is recognisable)
  // answers for that block; every other block trains as before.
  auto r = Request("m1 * 2", "ANOMALY_DETECTION_BAND(e1)");
  auto plain = Get(r);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  ASSERT_EQ(plain->results.size(), 3u);
  std::vector<int64_t> times;
  for (Timestamp t : plain->results[0].timestamps) times.push_back(t.millis);
  // The block of the last point (10 minutes here: 6 hours are more than 48 five-minute blocks).
  const int64_t step = internal::RetrainInterval(times);
  ASSERT_EQ(step, 600'000);
  const int64_t last_block = times.back() - times.back() % step;
  std::vector<anomaly::Point> flat;
  for (int64_t t = kNow - 2 * kDay; t < kNow - kPeriod; t += kPeriod) {
    flat.push_back({Timestamp::FromSeconds(t), 7.0 + static_cast<double>(t / kPeriod % 3)});
  }
  AnomalyBandSettings settings;
  auto model = internal::TrainExpressionBandModel(flat, kPeriod, settings, Timestamp{last_block});
  ASSERT_TRUE(model.ok()) << model.error().message;
  ASSERT_TRUE(model->trained());
  int asked = 0;
  r.expression_anomaly_settings = [&](const std::vector<MetricDataQuery>&,
                                      std::string_view) -> std::optional<AnomalyBandSettings> {
    AnomalyBandSettings s;
    s.trained_model = [&](int period) -> std::optional<TrainedBandModel> {
      ++asked;
      EXPECT_EQ(period, kPeriod);
      return TrainedBandModel{Timestamp{last_block}, {}, "", false, *model};
    };
    return s;
  };
  auto cached = Get(r);
  ASSERT_TRUE(cached.ok()) << cached.error().message;
  EXPECT_EQ(asked, 1);
  const Bands a = BandsOf(*plain), b = BandsOf(*cached);
  ASSERT_EQ(a.times, b.times);
  for (size_t i = 0; i < b.times.size() && b.times[i].millis < last_block; ++i) {
    EXPECT_EQ(a.upper[i], b.upper[i]) << "block " << b.times[i].seconds();
    EXPECT_EQ(a.lower[i], b.lower[i]) << "block " << b.times[i].seconds();
  }
  const auto band = model->BandAt(b.times.back(), 2);
  ASSERT_TRUE(band.has_value());
  EXPECT_EQ(b.upper.back(), band->upper);
  EXPECT_EQ(b.lower.back(), band->lower);
  EXPECT_NE(a.upper.back(), b.upper.back());
}

}  // namespace
}  // namespace vigil::query
