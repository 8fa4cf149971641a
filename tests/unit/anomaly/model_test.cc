// The anomaly model on synthetic series whose right answer is known by construction
// (docs/anomaly-detection.md). Series use a 5-minute period and a fixed-seed noise so every
// expectation is deterministic.
#include "vigil/anomaly/model.h"

#include <date/date.h>
#include <date/tz.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace vigil::anomaly {
namespace {

constexpr int64_t kPeriod = 300;
constexpr int64_t kDay = 86400;
// 2026-02-02 00:00:00 UTC, a Monday.
constexpr int64_t kMonday = 1769990400;

// Uniform noise in [-amp, amp] from a fixed LCG.
class Noise {
 public:
  double operator()(double amp) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return amp * (2.0 * static_cast<double>(state_ >> 11) / 9007199254740992.0 - 1.0);
  }

 private:
  uint64_t state_ = 7;
};

std::vector<Point> Make(int64_t start, int64_t days, const std::function<double(int64_t)>& f) {
  std::vector<Point> out;
  for (int64_t t = start; t < start + days * kDay; t += kPeriod) {
    out.push_back(Point{Timestamp::FromSeconds(t), f(t)});
  }
  return out;
}

Model TrainOrDie(const std::vector<Point>& pts, const TrainingOptions& options, int64_t as_of) {
  auto m = Model::Train(pts, options, Timestamp::FromSeconds(as_of));
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? std::move(m).value() : Model{};
}

bool Inside(const Model& m, int64_t t, double v, double k = 2) {
  auto b = m.BandAt(Timestamp::FromSeconds(t), k);
  EXPECT_TRUE(b.has_value());
  return b && b->lower <= v && v <= b->upper;
}

// 10 ± 1, and 60 for half an hour from 03:00 UTC every day.
double DailySpike(int64_t t, Noise& noise) {
  const int64_t sod = t % kDay;
  return (sod >= 3 * 3600 && sod < 3 * 3600 + 1800 ? 60.0 : 10.0) + noise(1.0);
}

TEST(ModelTest, DailySpikeAtItsHourStaysInsideTheBand) {
  Noise noise;
  auto pts = Make(kMonday, 14, [&](int64_t t) { return DailySpike(t, noise); });
  const int64_t end = kMonday + 14 * kDay;
  Model m = TrainOrDie(pts, {}, end);
  EXPECT_EQ(m.summary().seasonality, Seasonality::kDaily);
  // Tomorrow at 03:10 the spike is expected...
  EXPECT_TRUE(Inside(m, end + 3 * 3600 + 600, 60.0));
  EXPECT_NEAR(m.BandAt(Timestamp::FromSeconds(end + 3 * 3600 + 600), 2)->expected, 60.0, 1.5);
  // ...and the ordinary value at that time would be the anomaly.
  EXPECT_FALSE(Inside(m, end + 3 * 3600 + 600, 10.0));
}

TEST(ModelTest, SameSpikeAtAnotherHourFallsOutside) {
  Noise noise;
  auto pts = Make(kMonday, 14, [&](int64_t t) { return DailySpike(t, noise); });
  const int64_t end = kMonday + 14 * kDay;
  Model m = TrainOrDie(pts, {}, end);
  EXPECT_FALSE(Inside(m, end + 15 * 3600 + 600, 60.0));
  EXPECT_TRUE(Inside(m, end + 15 * 3600 + 600, 10.0));
}

TEST(ModelTest, OneSampleSpikesNeedPeriodicSpikes) {
  // One 5-minute sample of 60 at 03:00 every day: the neighbour-pooled profile smooths it away,
  // PeriodicSpikes keeps it.
  Noise noise;
  auto pts = Make(kMonday, 14, [&](int64_t t) {
    return (t % kDay == 3 * 3600 ? 60.0 : 10.0) + noise(1.0);
  });
  const int64_t end = kMonday + 14 * kDay;
  const int64_t spike = end + 3 * 3600;
  EXPECT_FALSE(Inside(TrainOrDie(pts, {}, end), spike, 60.0));
  TrainingOptions spiky;
  spiky.periodic_spikes = true;
  Model m = TrainOrDie(pts, spiky, end);
  EXPECT_EQ(m.summary().seasonality, Seasonality::kDaily);
  EXPECT_TRUE(Inside(m, spike, 60.0));
  EXPECT_FALSE(Inside(m, spike + kPeriod, 60.0));
}

TEST(ModelTest, WeeklyPattern) {
  // 100 ± 2 on weekdays, 40 ± 2 at weekends (UTC).
  Noise noise;
  auto weekend = [](int64_t t) { return (t - kMonday) / kDay % 7 >= 5; };
  auto pts = Make(kMonday, 14, [&](int64_t t) { return (weekend(t) ? 40.0 : 100.0) + noise(2); });
  const int64_t end = kMonday + 14 * kDay;  // the third Monday
  Model m = TrainOrDie(pts, {}, end);
  EXPECT_EQ(m.summary().seasonality, Seasonality::kWeekly);
  const int64_t monday_noon = end + 12 * 3600, saturday_noon = end + 5 * kDay + 12 * 3600;
  EXPECT_TRUE(Inside(m, monday_noon, 100.0));
  EXPECT_FALSE(Inside(m, monday_noon, 40.0));
  EXPECT_TRUE(Inside(m, saturday_noon, 40.0));
  EXPECT_FALSE(Inside(m, saturday_noon, 100.0));
}

TEST(ModelTest, ExcludedOutageDoesNotDragTheBandDown) {
  // 50 ± 1, with an outage (0) for a whole day mid-window and for the last 6 hours.
  Noise noise;
  const int64_t end = kMonday + 14 * kDay;
  const TimeRange mid{Timestamp::FromSeconds(kMonday + 6 * kDay),
                      Timestamp::FromSeconds(kMonday + 7 * kDay)};
  const TimeRange tail{Timestamp::FromSeconds(end - 6 * 3600), Timestamp::FromSeconds(end)};
  auto pts = Make(kMonday, 14, [&](int64_t t) {
    const double v = 50 + noise(1);
    const bool out = (t >= mid.start.seconds() && t < mid.end.seconds()) || t >= tail.start.seconds();
    return out ? 0.0 : v;
  });
  Model dragged = TrainOrDie(pts, {}, end);
  EXPECT_TRUE(Inside(dragged, end, 0.0));  // without exclusion the outage became "normal"
  TrainingOptions options;
  options.excluded = {mid, tail};
  Model m = TrainOrDie(pts, options, end);
  auto b = m.BandAt(Timestamp::FromSeconds(end), 2);
  ASSERT_TRUE(b.has_value());
  EXPECT_NEAR(b->expected, 50.0, 0.5);
  EXPECT_GT(b->lower, 45.0);
  EXPECT_LT(b->upper, 55.0);
  EXPECT_FALSE(Inside(m, end, 0.0));
}

TEST(ModelTest, DstChangeKeepsLocalHourPatternAligned) {
  // 100 from 09:00 to 10:00 New York time every day, 10 otherwise; trained across the
  // 2026-03-08 change from EST (UTC-5) to EDT (UTC-4).
  const auto* ny = date::locate_zone("America/New_York");
  auto local_hour = [&](int64_t t) {
    auto lt = ny->to_local(date::sys_seconds{std::chrono::seconds{t}});
    return (lt.time_since_epoch().count() % kDay + kDay) % kDay / 3600;
  };
  Noise noise;
  const int64_t start = 1771718400;  // 2026-02-22 00:00 UTC
  auto pts = Make(start, 16, [&](int64_t t) { return (local_hour(t) == 9 ? 100.0 : 10.0) + noise(1); });
  const int64_t end = start + 16 * kDay;  // 2026-03-10 00:00 UTC, two days into EDT
  const int64_t nine_thirty_edt = end + 13 * 3600 + 1800;  // 13:30 UTC
  const int64_t ten_thirty_edt = end + 14 * 3600 + 1800;   // 14:30 UTC
  TrainingOptions local;
  local.timezone = "America/New_York";
  Model m = TrainOrDie(pts, local, end);
  EXPECT_EQ(m.summary().seasonality, Seasonality::kDaily);
  EXPECT_TRUE(Inside(m, nine_thirty_edt, 100.0));
  EXPECT_TRUE(Inside(m, ten_thirty_edt, 10.0));
  // In UTC phases 12 of the 14 training days put the pattern an hour later: misaligned.
  Model utc = TrainOrDie(pts, {}, end);
  EXPECT_FALSE(Inside(utc, nine_thirty_edt, 100.0));
  EXPECT_FALSE(Inside(utc, ten_thirty_edt, 10.0));
}

TEST(ModelTest, FlatSeriesGetsTheRelativeFloor) {
  auto pts = Make(kMonday, 2, [](int64_t) { return 5.0; });
  Model m = TrainOrDie(pts, {}, kMonday + 2 * kDay);
  // No residual at all: scale = 1e-3 * |level| = 0.005, so k=2 gives 5 ± 0.01.
  EXPECT_DOUBLE_EQ(m.summary().scale, 0.005);
  auto b = m.BandAt(Timestamp::FromSeconds(kMonday + 2 * kDay), 2);
  ASSERT_TRUE(b.has_value());
  EXPECT_NEAR(b->lower, 4.99, 1e-12);
  EXPECT_NEAR(b->upper, 5.01, 1e-12);
}

TEST(ModelTest, AllZeroSeriesGetsANonZeroBand) {
  auto pts = Make(kMonday, 2, [](int64_t) { return 0.0; });
  TrainingOptions options;
  options.clamp = UnitClamp::kNonNegative;
  Model m = TrainOrDie(pts, options, kMonday + 2 * kDay);
  auto b = m.BandAt(Timestamp::FromSeconds(kMonday + 2 * kDay), 2);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->lower, 0.0);
  EXPECT_DOUBLE_EQ(b->upper, 2e-6);  // the absolute floor 1e-6, times k
}

TEST(ModelTest, MostlyZeroSeriesKeepsWidthFromItsBlips) {
  // A 1 every 200th sample: the median and MAD are 0; the scale is half the mean |residual|.
  int64_t i = 0;
  auto pts = Make(kMonday, 7, [&](int64_t) { return i++ % 200 == 0 ? 1.0 : 0.0; });
  Model m = TrainOrDie(pts, {}, kMonday + 7 * kDay);
  EXPECT_GT(m.summary().scale, 0.002);
  EXPECT_TRUE(Inside(m, kMonday + 7 * kDay, 0.0));
  EXPECT_FALSE(Inside(m, kMonday + 7 * kDay, 1.0));
}

// A quantised CPU series (like 24ae8d in NAB): 0.134 %, one sample in 5 at 0.066 %, one in 40
// at 0.2 % — each on its own, never two 0.2 in a row. A band that keeps every 0.2 inside cannot see
// a run of them; the run-calibrated band (docs/anomaly-detection.md "Scale") puts a single 0.2
// outside but lets the normal series never breach 3 periods in a row, while three 0.2 in a row
// do.
std::vector<Point> Quantised(int64_t days) {
  int64_t i = 0;
  return Make(kMonday, days, [&](int64_t) {
    const int64_t k = i++;
    if (k % 40 == 7) return 0.2;
    if (k % 5 == 2) return 0.066;
    return 0.134;
  });
}

TEST(ModelTest, RunCalibratedBandCatchesARunOfCommonBlips) {
  const auto pts = Quantised(7);
  const int64_t as_of = kMonday + 7 * kDay;
  Model m = TrainOrDie(pts, {}, as_of);
  ASSERT_TRUE(m.trained());
  auto b = m.BandAt(Timestamp::FromSeconds(as_of), 2);
  ASSERT_TRUE(b.has_value());
  EXPECT_GT(b->upper, 0.134);
  EXPECT_LT(b->upper, 0.2) << "a run of 0.2 must be able to breach";
  EXPECT_LT(b->lower, 0.066) << "the frequent low level stays inside";
  EXPECT_GT(m.summary().scale, m.summary().scale_upper) << "narrower than the symmetric band";
  // The training series itself never breaches 3 periods in a row.
  size_t run = 0, longest = 0;
  for (const Point& p : pts) {
    auto pb = m.BandAt(p.t, 2);
    const bool out = p.value < pb->lower || p.value > pb->upper;
    run = out ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  EXPECT_LT(longest, 3u);
}

TEST(ModelTest, WithoutRunCalibrationTheBandIsSymmetric) {
  ModelParams params;
  params.run_length = 0;
  auto m = Model::Train(Quantised(7), {}, Timestamp::FromSeconds(kMonday + 7 * kDay), params);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->summary().scale_upper, m->summary().scale);
  EXPECT_EQ(m->summary().scale_lower, m->summary().scale);
  auto b = m->BandAt(Timestamp::FromSeconds(kMonday + 7 * kDay), 2);
  EXPECT_GE(b->upper, 0.2) << "the symmetric band keeps the single blips inside";
}

TEST(ModelTest, PercentClampKeepsBandWithin0To100) {
  Noise noise;
  auto high = Make(kMonday, 3, [&](int64_t) { return 96 + noise(4); });
  TrainingOptions percent;
  percent.clamp = UnitClamp::kPercent;
  const int64_t end = kMonday + 3 * kDay;
  auto unclamped = TrainOrDie(high, {}, end).BandAt(Timestamp::FromSeconds(end), 2);
  ASSERT_TRUE(unclamped.has_value());
  EXPECT_GT(unclamped->upper, 100.0);
  auto clamped = TrainOrDie(high, percent, end).BandAt(Timestamp::FromSeconds(end), 2);
  ASSERT_TRUE(clamped.has_value());
  EXPECT_EQ(clamped->upper, 100.0);
  EXPECT_NEAR(clamped->lower, unclamped->lower, 1e-12);

  auto low = Make(kMonday, 3, [&](int64_t) { return 2 + noise(3); });
  auto lo_raw = TrainOrDie(low, {}, end).BandAt(Timestamp::FromSeconds(end), 2);
  ASSERT_TRUE(lo_raw.has_value());
  EXPECT_LT(lo_raw->lower, 0.0);
  EXPECT_EQ(TrainOrDie(low, percent, end).BandAt(Timestamp::FromSeconds(end), 2)->lower, 0.0);
}

TEST(ModelTest, NoiseHasNoSeasonalityAndTrendIsDetected) {
  Noise noise;
  auto flat = Make(kMonday, 14, [&](int64_t) { return 20 + noise(3); });
  Model m = TrainOrDie(flat, {}, kMonday + 14 * kDay);
  EXPECT_EQ(m.summary().seasonality, Seasonality::kNone);
  EXPECT_FALSE(m.summary().has_trend);

  // +10 per day: the level sits at the middle of the last 2 hours, the band extrapolates.
  auto rising = Make(kMonday, 7, [&](int64_t t) {
    return 100 + 10.0 * static_cast<double>(t - kMonday) / kDay + noise(1);
  });
  const int64_t end = kMonday + 7 * kDay;
  Model r = TrainOrDie(rising, {}, end);
  EXPECT_TRUE(r.summary().has_trend);
  EXPECT_NEAR(r.summary().slope_per_day, 10.0, 0.5);
  const double next_day = 100 + 10.0 * 8;  // one day after the end of training
  EXPECT_NEAR(r.BandAt(Timestamp::FromSeconds(end + kDay), 2)->expected, next_day, 1.0);
}

TEST(ModelTest, HourlyPatternIsDetected) {
  Noise noise;
  auto pts = Make(kMonday, 3, [&](int64_t t) { return (t % 3600 < 900 ? 30.0 : 5.0) + noise(1); });
  Model m = TrainOrDie(pts, {}, kMonday + 3 * kDay);
  EXPECT_EQ(m.summary().seasonality, Seasonality::kHourly);
  EXPECT_TRUE(Inside(m, kMonday + 3 * kDay + 300, 30.0));
  EXPECT_TRUE(Inside(m, kMonday + 3 * kDay + 1800, 5.0));
}

TEST(ModelTest, TooLittleDataHasNoBand) {
  auto pts = Make(kMonday, 1, [](int64_t) { return 1.0; });
  pts.resize(5);
  Model m = TrainOrDie(pts, {}, kMonday + 3600);
  EXPECT_FALSE(m.trained());
  EXPECT_FALSE(m.BandAt(Timestamp::FromSeconds(kMonday + 3600), 2).has_value());
}

TEST(ModelTest, RejectsUnknownTimeZoneAndBadPeriod) {
  auto pts = Make(kMonday, 1, [](int64_t) { return 1.0; });
  TrainingOptions tz;
  tz.timezone = "Mars/Olympus_Mons";
  auto bad_tz = Model::Train(pts, tz, Timestamp::FromSeconds(kMonday + kDay));
  ASSERT_FALSE(bad_tz.ok());
  EXPECT_EQ(bad_tz.error().code, ErrorCode::kInvalidParameterValue);
  TrainingOptions period;
  period.period_seconds = 0;
  EXPECT_FALSE(Model::Train(pts, period, Timestamp::FromSeconds(kMonday + kDay)).ok());
  EXPECT_FALSE(CausalBands(pts, period, 2).ok());
}

TEST(CausalBandsTest, LaterSpikeDoesNotChangeEarlierBands) {
  Noise noise;
  auto a = Make(kMonday, 4, [&](int64_t t) { return DailySpike(t, noise); });
  auto b = a;
  const size_t spike = b.size() - 100;
  for (size_t i = spike; i < spike + 5; ++i) b[i].value = 500;
  auto ba = CausalBands(a, {}, 2);
  auto bb = CausalBands(b, {}, 2);
  ASSERT_TRUE(ba.ok() && bb.ok());
  size_t banded = 0;
  for (size_t i = 0; i <= spike; ++i) {  // up to and including the spike's first point
    ASSERT_EQ((*ba)[i].has_value(), (*bb)[i].has_value()) << i;
    if (!(*ba)[i]) continue;
    ++banded;
    EXPECT_EQ((*ba)[i]->lower, (*bb)[i]->lower) << i;
    EXPECT_EQ((*ba)[i]->upper, (*bb)[i]->upper) << i;
  }
  EXPECT_GT(banded, spike - 20);  // bands start after min_points samples
  // The spike is outside its band, and it does reach the bands after it.
  EXPECT_GT(b[spike].value, (*bb)[spike]->upper);
  bool changed = false;
  for (size_t i = spike + 1; i < b.size(); ++i) changed |= (*ba)[i]->upper != (*bb)[i]->upper;
  EXPECT_TRUE(changed);
}

TEST(CausalBandsTest, MatchesAModelTrainedAsOfEachPoint) {
  Noise noise;
  auto pts = Make(kMonday, 3, [&](int64_t t) { return DailySpike(t, noise); });
  TrainingOptions options;
  options.timezone = "Europe/Berlin";
  // Retrained every 15 minutes: points between retrains share the model of the last retrain.
  auto bands = CausalBands(pts, options, 2, 900);
  ASSERT_TRUE(bands.ok());
  for (size_t i : {size_t{100}, size_t{401}, size_t{402}, size_t{403}, pts.size() - 1}) {
    const size_t trained_at = i / 3 * 3;  // retrains at samples 0, 3, 6, ... (900 s apart)
    auto m = Model::Train(pts, options, pts[trained_at].t);
    ASSERT_TRUE(m.ok());
    auto want = m->BandAt(pts[i].t, 2);
    ASSERT_TRUE(want && (*bands)[i]) << i;
    EXPECT_EQ((*bands)[i]->lower, want->lower) << i;
    EXPECT_EQ((*bands)[i]->upper, want->upper) << i;
  }
}

}  // namespace
}  // namespace vigil::anomaly
