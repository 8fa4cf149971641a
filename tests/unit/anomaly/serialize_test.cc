// Model::Serialize / Deserialize (model.h): a round trip draws bit-identical bands for every kind
// of model (seasonal in a DST zone with a trend and a clamp, untrained), and corrupt or truncated
// records are errors, not models.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <vector>

#include "vigil/anomaly/model.h"

namespace vigil::anomaly {
namespace {

constexpr int64_t kPeriod = 300;
constexpr int64_t kDay = 86400;
constexpr int64_t kMonday = 1769990400;  // 2026-02-02 00:00:00 UTC

std::vector<Point> Series(int64_t days, double slope_per_day) {
  std::vector<Point> out;
  for (int64_t t = kMonday; t < kMonday + days * kDay; t += kPeriod) {
    const double day = static_cast<double>(t - kMonday) / kDay;
    const double phase = 2 * M_PI * static_cast<double>(t % kDay) / kDay;
    const double jitter = static_cast<double>((t / kPeriod * 37) % 11 - 5) * 0.3;
    out.push_back(Point{Timestamp::FromSeconds(t), 50 + 20 * std::sin(phase) + slope_per_day * day +
                                                       jitter});
  }
  return out;
}

Model TrainOrDie(const std::vector<Point>& pts, const TrainingOptions& o, int64_t as_of) {
  auto m = Model::Train(pts, o, Timestamp::FromSeconds(as_of));
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? std::move(m).value() : Model{};
}

void ExpectSameBands(const Model& a, const Model& b, int64_t from, int64_t to) {
  for (int64_t t = from; t < to; t += kPeriod) {
    const auto x = a.BandAt(Timestamp::FromSeconds(t), 2);
    const auto y = b.BandAt(Timestamp::FromSeconds(t), 2);
    ASSERT_EQ(x.has_value(), y.has_value()) << t;
    if (!x) continue;
    // Bit-identical, not merely close: the cached model must answer as the trained one.
    EXPECT_EQ(std::bit_cast<uint64_t>(x->lower), std::bit_cast<uint64_t>(y->lower)) << t;
    EXPECT_EQ(std::bit_cast<uint64_t>(x->upper), std::bit_cast<uint64_t>(y->upper)) << t;
    EXPECT_EQ(std::bit_cast<uint64_t>(x->expected), std::bit_cast<uint64_t>(y->expected)) << t;
  }
}

TEST(ModelSerializeTest, SeasonalTrendedZonedModelRoundTripsBitForBit) {
  const auto pts = Series(12, 3.0);
  TrainingOptions o;
  o.timezone = "America/New_York";
  o.clamp = UnitClamp::kNonNegative;
  const int64_t as_of = kMonday + 12 * kDay;
  const Model m = TrainOrDie(pts, o, as_of);
  ASSERT_TRUE(m.trained());
  ASSERT_NE(m.summary().seasonality, Seasonality::kNone);
  ASSERT_TRUE(m.summary().has_trend);
  auto back = Model::Deserialize(m.Serialize());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->trained());
  EXPECT_EQ(back->summary().seasonality, m.summary().seasonality);
  EXPECT_EQ(back->summary().has_trend, m.summary().has_trend);
  EXPECT_EQ(back->summary().points, m.summary().points);
  EXPECT_EQ(back->summary().scale, m.summary().scale);
  EXPECT_EQ(back->summary().scale_upper, m.summary().scale_upper);
  EXPECT_EQ(back->summary().scale_lower, m.summary().scale_lower);
  EXPECT_EQ(back->clamp(), UnitClamp::kNonNegative);
  EXPECT_EQ(back->period_seconds(), kPeriod);
  EXPECT_EQ(back->timezone(), "America/New_York");
  // Two days ahead, across the phases of the whole cycle.
  ExpectSameBands(m, *back, as_of, as_of + 2 * kDay);
  EXPECT_EQ(back->Serialize(), m.Serialize());
}

TEST(ModelSerializeTest, UntrainedModelRoundTripsWithoutABand) {
  const auto pts = Series(1, 0);
  const Model m = TrainOrDie({pts.begin(), pts.begin() + 5}, TrainingOptions{}, kMonday + kDay);
  ASSERT_FALSE(m.trained());
  auto back = Model::Deserialize(m.Serialize());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_FALSE(back->trained());
  EXPECT_EQ(back->summary().points, 5u);
  EXPECT_FALSE(back->BandAt(Timestamp::FromSeconds(kMonday + kDay), 2).has_value());
}

TEST(ModelSerializeTest, VersionOneRecordsReadWithTheSymmetricScale) {
  const Model m = TrainOrDie(Series(3, 0), TrainingOptions{}, kMonday + 3 * kDay);
  const std::string v2 = m.Serialize();
  ASSERT_EQ(v2[0], 2);
  // Version 1 had no scale_upper / scale_lower: 5 one-byte fields, 3 int64, 4 doubles, then
  // the points count.
  constexpr size_t kScaleEnd = 5 + 3 * 8 + 4 * 8;
  std::string v1 = v2.substr(0, kScaleEnd) + v2.substr(kScaleEnd + 16);
  v1[0] = 1;
  auto back = Model::Deserialize(v1);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->summary().scale_upper, m.summary().scale);
  EXPECT_EQ(back->summary().scale_lower, m.summary().scale);
  EXPECT_EQ(back->summary().points, m.summary().points);
  auto b = back->BandAt(Timestamp::FromSeconds(kMonday + 3 * kDay), 2);
  ASSERT_TRUE(b.has_value());
  EXPECT_NEAR(b->upper - b->expected, 2 * m.summary().scale, 1e-9);
}

TEST(ModelSerializeTest, CorruptRecordsAreErrors) {
  const Model m = TrainOrDie(Series(3, 0), TrainingOptions{}, kMonday + 3 * kDay);
  const std::string good = m.Serialize();
  ASSERT_TRUE(Model::Deserialize(good).ok());
  EXPECT_FALSE(Model::Deserialize("").ok());
  for (size_t cut : {size_t{1}, size_t{20}, good.size() - 1}) {
    auto r = Model::Deserialize(std::string_view(good).substr(0, cut));
    ASSERT_FALSE(r.ok()) << "truncated at " << cut;
    EXPECT_EQ(r.error().code, ErrorCode::kInternalFailure);
  }
  std::string version = good;
  version[0] = 9;
  EXPECT_FALSE(Model::Deserialize(version).ok());
  EXPECT_FALSE(Model::Deserialize(good + "x").ok()) << "trailing bytes";
}

}  // namespace
}  // namespace vigil::anomaly
