#include "vigil/storage/distribution.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace vigil::storage {
namespace {

// The value at rank r (0-based) of the expanded points.
double ValueAtRank(const std::vector<Distribution::Point>& points, double rank) {
  double seen = 0;
  for (const auto& p : points) {
    seen += p.count;
    if (rank < seen) return p.value;
  }
  return points.back().value;
}

TEST(DistributionTest, StaysExactWhileSmall) {
  Distribution d;
  for (int i = 0; i < 64; ++i) d.Add(i * 1.5, 2);
  d.Add(3.0, 1);  // an existing value: still 64 distinct
  EXPECT_TRUE(d.exact());
  EXPECT_EQ(d.total_count(), 129);
  auto pts = d.Points();
  ASSERT_EQ(pts.size(), 64u);
  EXPECT_EQ(pts[2].value, 3.0);
  EXPECT_EQ(pts[2].count, 3);
  d.Add(1000, 1);
  EXPECT_FALSE(d.exact());
  EXPECT_EQ(d.total_count(), 130);
}

TEST(DistributionTest, SketchQuantilesAreWithinTheRelativeAccuracy) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> lognormal(3.0, 2.0);
  std::vector<double> values;
  Distribution d;
  for (int i = 0; i < 100000; ++i) {
    double v = lognormal(rng) * (i % 10 == 0 ? -1 : 1);  // some negatives too
    if (i % 97 == 0) v = 0;
    values.push_back(v);
    d.Add(v, 1);
  }
  ASSERT_FALSE(d.exact());
  std::sort(values.begin(), values.end());
  auto pts = d.Points();
  ASSERT_TRUE(std::is_sorted(pts.begin(), pts.end(),
                             [](const auto& a, const auto& b) { return a.value < b.value; }));
  for (double q : {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999}) {
    double rank = q * (values.size() - 1);
    double exact = values[static_cast<size_t>(rank)];
    double approx = ValueAtRank(pts, rank);
    EXPECT_LE(std::fabs(approx - exact), Distribution::kRelativeAccuracy * std::fabs(exact) + 1e-12)
        << "q=" << q;
  }
}

TEST(DistributionTest, MergeEqualsAddingEverything) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-50, 500);
  Distribution all, a, b, c;
  for (int i = 0; i < 3000; ++i) {
    double v = std::round(u(rng) * 100) / 100;
    all.Add(v, 1);
    (i % 3 == 0 ? a : i % 3 == 1 ? b : c).Add(v, 1);
  }
  Distribution left = a;
  left.Merge(b);
  left.Merge(c);
  Distribution right = c;
  right.Merge(a);
  right.Merge(b);
  EXPECT_EQ(left, right);
  EXPECT_EQ(left, all);
}

TEST(DistributionTest, ExactMergeStaysExactUntilTheLimit) {
  Distribution a, b;
  for (int i = 0; i < 30; ++i) a.Add(i, 1);
  for (int i = 20; i < 50; ++i) b.Add(i, 1);
  a.Merge(b);
  EXPECT_TRUE(a.exact());
  EXPECT_EQ(a.Points().size(), 50u);
  EXPECT_EQ(a.total_count(), 60);
}

TEST(DistributionTest, EncodesAndDecodesBothForms) {
  Distribution exact, sketch;
  exact.Add(1.25, 3);
  exact.Add(-7, 0.5);
  for (int i = 1; i < 500; ++i) sketch.Add(i * 0.37, i % 5 + 1);
  sketch.Add(0, 4);
  sketch.Add(-3, 1);
  for (const Distribution* d : {&exact, &sketch}) {
    std::string bytes;
    d->AppendTo(bytes);
    bytes += "tail";
    std::string_view in = bytes;
    Distribution back;
    ASSERT_TRUE(Distribution::Decode(in, back));
    EXPECT_EQ(back, *d);
    EXPECT_EQ(in, "tail");
  }
}

TEST(DistributionTest, DecodeRejectsGarbageWithoutCrashing) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 40, '\0');
    for (auto& ch : bytes) ch = static_cast<char>(rng());
    if (!bytes.empty()) bytes[0] = static_cast<char>(1 + rng() % 2);
    std::string_view in = bytes;
    Distribution d;
    (void)Distribution::Decode(in, d);
  }
  std::string_view empty;
  Distribution d;
  EXPECT_FALSE(Distribution::Decode(empty, d));
}

TEST(DistributionTest, IgnoresNonPositiveCountsAndNonFiniteValues) {
  Distribution d;
  d.Add(1, 0);
  d.Add(1, -1);
  d.Add(NAN, 1);
  EXPECT_TRUE(d.empty());
}

}  // namespace
}  // namespace vigil::storage
