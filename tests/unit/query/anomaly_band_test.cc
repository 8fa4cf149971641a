// ANOMALY_DETECTION_BAND through query::GetMetricData over the memory store
// (docs/anomaly-detection.md "API"): the band covers a learnt daily pattern, a spike falls
// outside, k widens it, it is causal (a later spike leaves earlier band values unchanged), too
// little data gives empty series, and a detector's settings (anomaly_settings) are applied.
#include <algorithm>
#include <gtest/gtest.h>

#include <cmath>

#include "query/anomaly_band.h"
#include "vigil/query/metric_data.h"

namespace vigil::query {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kNow = 1'800'000'000 - 1'800'000'000 % kDay;  // midnight UTC
constexpr int64_t kRangeStart = kNow - kDay;                    // the last day
constexpr int kPeriod = 300;

storage::SeriesKey Key(std::string name) {
  storage::SeriesKey k{"123456789012", "us-east-1", "ns", std::move(name), {}};
  k.Canonicalize();
  return k;
}

// A daily pattern (100 ± 50 over the day) with a little deterministic noise.
double Pattern(int64_t t) {
  const double phase = 2 * M_PI * static_cast<double>(t % kDay) / kDay;
  const double noise = static_cast<double>((t / kPeriod * 37) % 11 - 5) * 0.4;
  return 100 + 50 * std::sin(phase) + noise;
}

class AnomalyBandTest : public ::testing::Test {
 protected:
  AnomalyBandTest() : store_(storage::NewMemoryMetricStore()) {}

  void Put(const std::string& metric, int64_t at, double v) {
    storage::Datum d;
    d.series = Key(metric);
    d.timestamp = Timestamp::FromSeconds(at);
    d.stats.Add(v, 1);
    ASSERT_TRUE(store_->Write({d}).ok());
  }
  // 8 days of the pattern up to kNow.
  void PutPattern(const std::string& metric) {
    for (int64_t t = kNow - 8 * kDay; t < kNow; t += kPeriod) Put(metric, t, Pattern(t));
  }

  static MetricDataRequest Request(std::string metric, std::string band_expression) {
    MetricDataRequest r;
    MetricDataQuery m;
    m.id = "m1";
    m.series = Key(std::move(metric));
    m.statistic = *Statistic::Parse("Average");
    m.period_seconds = kPeriod;
    m.label = "load";
    MetricDataQuery b;
    b.id = "band";
    b.expression = std::move(band_expression);
    b.period_seconds = 0;
    b.series.account = m.series.account;
    b.series.region = m.series.region;
    r.queries = {m, b};
    r.start = Timestamp::FromSeconds(kRangeStart);
    r.end = Timestamp::FromSeconds(kNow);
    r.order = ScanOrder::kTimestampAscending;
    return r;
  }

  Result<MetricDataPage> Get(const MetricDataRequest& r) {
    return GetMetricData(*store_, r, Timestamp::FromSeconds(kNow));
  }
  MetricDataPage Run(const MetricDataRequest& r) {
    auto page = Get(r);
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message);
    if (!page.ok()) return {};
    EXPECT_EQ(page->results.size(), 3u);
    return *page;
  }

  std::unique_ptr<storage::MetricStore> store_;
};

// The value of result r at time t, or NaN.
double At(const MetricDataResult& r, Timestamp t) {
  for (size_t i = 0; i < r.timestamps.size(); ++i) {
    if (r.timestamps[i] == t) return r.values[i];
  }
  return std::nan("");
}

TEST_F(AnomalyBandTest, DailyPatternStaysInsideTheBandUpperFirst) {
  PutPattern("cpu");
  MetricDataPage page = Run(Request("cpu", "ANOMALY_DETECTION_BAND(m1)"));
  ASSERT_EQ(page.results.size(), 3u);
  const MetricDataResult& m = page.results[0];
  const MetricDataResult& upper = page.results[1];
  const MetricDataResult& lower = page.results[2];
  EXPECT_EQ(upper.id, "band");
  EXPECT_EQ(lower.id, "band");
  EXPECT_EQ(upper.label, "load (upper)");
  EXPECT_EQ(lower.label, "load (lower)");
  EXPECT_EQ(upper.status, DataStatus::kComplete);
  ASSERT_EQ(m.timestamps.size(), static_cast<size_t>(kDay / kPeriod));
  // A week of history: every point of the range has a band.
  ASSERT_EQ(upper.timestamps, m.timestamps);
  ASSERT_EQ(lower.timestamps, m.timestamps);
  // The band is calibrated so that a normal series rarely leaves it 3 periods in a row and each
  // side leaves out at most ~3% of past points (docs/anomaly-detection.md "Scale").
  size_t outside = 0, run = 0, longest = 0;
  for (size_t i = 0; i < m.timestamps.size(); ++i) {
    EXPECT_LT(lower.values[i], upper.values[i]);
    const bool out = m.values[i] < lower.values[i] || m.values[i] > upper.values[i];
    outside += out;
    run = out ? run + 1 : 0;
    longest = std::max(longest, run);
    // The band follows the daily swing: it is much narrower than the pattern's 100 range.
    EXPECT_LT(upper.values[i] - lower.values[i], 40);
  }
  EXPECT_LT(longest, 3u) << "the normal pattern would alarm at 3 of 3";
  EXPECT_LE(outside, m.timestamps.size() * 6 / 100);
}

TEST_F(AnomalyBandTest, SpikeFallsOutsideAndKWidensTheBand) {
  PutPattern("cpu");
  const int64_t spike = kRangeStart + 10 * 3600;
  Put("cpu", spike, 500);  // averages with the pattern's value: (500 + ~x) / 2
  MetricDataPage k2 = Run(Request("cpu", "ANOMALY_DETECTION_BAND(m1)"));
  MetricDataPage k4 = Run(Request("cpu", "ANOMALY_DETECTION_BAND(m1, 4)"));
  ASSERT_EQ(k2.results.size(), 3u);
  ASSERT_EQ(k4.results.size(), 3u);
  const Timestamp ts = Timestamp::FromSeconds(spike);
  EXPECT_GT(At(k2.results[0], ts), At(k2.results[1], ts)) << "the spike is above the band";
  EXPECT_GT(At(k2.results[0], ts), At(k4.results[1], ts)) << "and above the k = 4 band";
  const MetricDataResult& m = k2.results[0];
  ASSERT_EQ(k4.results[1].timestamps, m.timestamps);
  for (const Timestamp t : m.timestamps) {
    const double w2 = At(k2.results[1], t) - At(k2.results[2], t);
    const double w4 = At(k4.results[1], t) - At(k4.results[2], t);
    EXPECT_NEAR(w4, 2 * w2, 1e-6 * w4) << "at " << t.seconds();
    EXPECT_GT(w4, w2);
  }
}

TEST_F(AnomalyBandTest, ALaterSpikeDoesNotChangeEarlierBandValues) {
  PutPattern("cpu");
  const auto request = Request("cpu", "ANOMALY_DETECTION_BAND(m1)");
  MetricDataPage before = Run(request);
  const int64_t spike = kRangeStart + 15 * 3600 + 1200;
  for (int i = 0; i < 6; ++i) Put("cpu", spike + i * kPeriod, 5000);
  MetricDataPage after = Run(request);
  ASSERT_EQ(before.results.size(), 3u);
  ASSERT_EQ(after.results.size(), 3u);
  size_t compared = 0, changed_later = 0;
  for (const Timestamp t : before.results[1].timestamps) {
    for (size_t r = 1; r <= 2; ++r) {
      const double b = At(before.results[r], t);
      const double a = At(after.results[r], t);
      if (t.seconds() < spike) {
        EXPECT_EQ(a, b) << "band " << r << " at " << t.seconds() << " changed";
        ++compared;
      } else if (a != b) {
        ++changed_later;
      }
    }
  }
  EXPECT_EQ(compared, 2u * (spike - kRangeStart) / kPeriod);
  // The spike is learnt from: some later band value moves (the test can see a change).
  EXPECT_GT(changed_later, 0u);
}

TEST_F(AnomalyBandTest, TooLittleDataGivesEmptySeries) {
  for (int i = 0; i < 5; ++i) Put("sparse", kNow - 3600 + i * kPeriod, 1);
  MetricDataPage page = Run(Request("sparse", "ANOMALY_DETECTION_BAND(m1)"));
  ASSERT_EQ(page.results.size(), 3u);
  EXPECT_EQ(page.results[0].values.size(), 5u);
  EXPECT_TRUE(page.results[1].values.empty());
  EXPECT_TRUE(page.results[2].values.empty());
  EXPECT_EQ(page.results[1].status, DataStatus::kComplete);
  EXPECT_EQ(page.results[2].status, DataStatus::kComplete);
}

TEST_F(AnomalyBandTest, DetectorSettingsAreApplied) {
  PutPattern("cpu");
  auto r = Request("cpu", "ANOMALY_DETECTION_BAND(m1)");
  std::vector<std::string> asked;
  // Everything before the range excluded: the model has nothing before the first hour.
  r.anomaly_settings = [&](const storage::SeriesKey& k,
                           const Statistic& s) -> std::optional<AnomalyBandSettings> {
    asked.push_back(k.metric_name + "/" + s.text());
    AnomalyBandSettings out;
    out.excluded.emplace_back(Timestamp::FromSeconds(kNow - 30 * kDay),
                              Timestamp::FromSeconds(kRangeStart + 3600));
    return out;
  };
  MetricDataPage page = Run(r);
  ASSERT_EQ(page.results.size(), 3u);
  EXPECT_EQ(asked, std::vector<std::string>{"cpu/Average"});
  ASSERT_FALSE(page.results[1].timestamps.empty());
  EXPECT_GE(page.results[1].timestamps.front(), Timestamp::FromSeconds(kRangeStart + 3600))
      << "no band where the model only had excluded data";
  // An unknown time zone is an error of the detector's settings.
  r.anomaly_settings = [](const storage::SeriesKey&, const Statistic&) {
    AnomalyBandSettings out;
    out.timezone = "Nowhere/Atlantis";
    return std::optional<AnomalyBandSettings>(out);
  };
  EXPECT_FALSE(Get(r).ok());
}

// The retrainer's cached model (AnomalyBandSettings::trained_model) for the latest block of a
// 3-hour range (5-minute blocks, the retrain schedule).
class CachedBandTest : public AnomalyBandTest {
 protected:
  static constexpr int64_t kLastBlock = kNow - kPeriod;  // the block of the range's last point

  MetricDataRequest Short() {
    auto r = Request("cpu", "ANOMALY_DETECTION_BAND(m1)");
    r.start = Timestamp::FromSeconds(kNow - 3 * 3600);
    return r;
  }
  MetricQuery Metric() {
    MetricQuery q;
    q.series = Key("cpu");
    q.statistic = *Statistic::Parse("Average");
    q.period_seconds = kPeriod;
    return q;
  }
  // The model TrainBandModel gives for `trained_at` from `store`, served for `settings`.
  TrainedBandModel Trained(storage::MetricStore& store, int64_t trained_at,
                           const AnomalyBandSettings& settings = {}) {
    auto m = internal::TrainBandModel(store, Metric(), settings,
                                      Timestamp::FromSeconds(trained_at),
                                      Timestamp::FromSeconds(kNow));
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
    TrainedBandModel t;
    t.trained_at = Timestamp::FromSeconds(trained_at);
    t.excluded = settings.excluded;
    t.timezone = settings.timezone;
    t.periodic_spikes = settings.periodic_spikes;
    if (m.ok()) t.model = std::move(*m);
    return t;
  }
  static void Serve(MetricDataRequest& r, TrainedBandModel model, int* asked = nullptr) {
    r.anomaly_settings = [model, asked](const storage::SeriesKey&, const Statistic&) {
      AnomalyBandSettings s;
      s.trained_model = [model, asked](int period) -> std::optional<TrainedBandModel> {
        if (asked) ++*asked;
        if (period != kPeriod) return std::nullopt;
        return model;
      };
      return std::optional<AnomalyBandSettings>(s);
    };
  }
  static void ExpectSame(const MetricDataPage& a, const MetricDataPage& b, int64_t from,
                         int64_t to, size_t* compared) {
    ASSERT_EQ(a.results.size(), 3u);
    ASSERT_EQ(b.results.size(), 3u);
    for (size_t r = 1; r <= 2; ++r) {
      ASSERT_EQ(a.results[r].timestamps, b.results[r].timestamps);
      for (size_t i = 0; i < a.results[r].timestamps.size(); ++i) {
        const int64_t t = a.results[r].timestamps[i].seconds();
        if (t < from || t >= to) continue;
        EXPECT_EQ(a.results[r].values[i], b.results[r].values[i]) << "band " << r << " at " << t;
        ++*compared;
      }
    }
  }
};

TEST_F(CachedBandTest, CachedModelGivesTheBandOfAFreshTraining) {
  PutPattern("cpu");
  const MetricDataPage fresh = Run(Short());
  auto r = Short();
  int asked = 0;
  Serve(r, Trained(*store_, kLastBlock), &asked);
  const MetricDataPage cached = Run(r);
  EXPECT_EQ(asked, 1);
  size_t compared = 0;
  ExpectSame(fresh, cached, 0, kNow, &compared);
  EXPECT_EQ(compared, 2u * 3 * 3600 / kPeriod);
}

TEST_F(CachedBandTest, CachedModelIsUsedForItsBlockOnly) {
  PutPattern("cpu");
  const MetricDataPage fresh = Run(Short());
  // A model trained on other data (the pattern doubled) for the last block: the band of that
  // block comes from it (so the cache is really read), every earlier block is trained as before.
  auto other = storage::NewMemoryMetricStore();
  for (int64_t t = kNow - 8 * kDay; t < kNow; t += kPeriod) {
    storage::Datum d;
    d.series = Key("cpu");
    d.timestamp = Timestamp::FromSeconds(t);
    d.stats.Add(2 * Pattern(t), 1);
    ASSERT_TRUE(other->Write({d}).ok());
  }
  auto r = Short();
  Serve(r, Trained(*other, kLastBlock));
  const MetricDataPage cached = Run(r);
  size_t compared = 0;
  ExpectSame(fresh, cached, 0, kLastBlock, &compared);
  EXPECT_EQ(compared, 2u * (3 * 3600 / kPeriod - 1));
  const Timestamp last = Timestamp::FromSeconds(kLastBlock);
  EXPECT_GT(At(cached.results[1], last), At(fresh.results[1], last) + 50)
      << "the last block's band is the cached (doubled) model's";

  // Not used when it was trained at a time that is no block's, or with other detector settings.
  Serve(r, Trained(*other, kLastBlock - 60));
  compared = 0;
  ExpectSame(fresh, Run(r), 0, kNow, &compared);
  EXPECT_EQ(compared, 2u * 3 * 3600 / kPeriod);
  AnomalyBandSettings berlin;
  berlin.timezone = "Europe/Berlin";
  Serve(r, Trained(*other, kLastBlock, berlin));
  compared = 0;
  ExpectSame(fresh, Run(r), 0, kNow, &compared);
  EXPECT_EQ(compared, 2u * 3 * 3600 / kPeriod);
}

TEST_F(CachedBandTest, CachedPathIsCausal) {
  PutPattern("cpu");
  const TrainedBandModel model = Trained(*store_, kLastBlock);
  auto r = Short();
  Serve(r, model);
  const MetricDataPage before = Run(r);
  // A spike inside the cached block, after the model was trained: neither the cached answer nor a
  // fresh training moves any band value up to and including the spike.
  const int64_t spike = kLastBlock;
  Put("cpu", spike, 5000);
  const MetricDataPage after = Run(r);
  const MetricDataPage fresh = Run(Short());
  size_t compared = 0;
  ExpectSame(before, after, 0, spike + 1, &compared);
  ExpectSame(before, fresh, 0, spike + 1, &compared);
  EXPECT_EQ(compared, 4u * 3 * 3600 / kPeriod);
  EXPECT_GT(At(after.results[0], Timestamp::FromSeconds(spike)),
            At(after.results[1], Timestamp::FromSeconds(spike)))
      << "and the spike is outside the cached band";
}

TEST_F(AnomalyBandTest, ArgumentErrors) {
  PutPattern("cpu");
  auto page = Get(Request("cpu", "ANOMALY_DETECTION_BAND(m1 * 2)"));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::kValidationError);
  EXPECT_EQ(page.error().message,
            "Error in expression band: ANOMALY_DETECTION_BAND at position 1: its first argument "
            "must be the id of a MetricStat query (a metric and a statistic), not an "
            "expression.\n");
  page = Get(Request("cpu", "ANOMALY_DETECTION_BAND(m1, 0)"));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().message,
            "Error in expression band: ANOMALY_DETECTION_BAND at position 1: the band width "
            "(number of standard deviations) must be a number greater than 0.\n");
}

}  // namespace
}  // namespace vigil::query
