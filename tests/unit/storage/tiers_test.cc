// Tiers, rollups and expiry of the RocksDB store, driven by a ManualClock: data ages through
// 1 s -> 60 s -> 300 s -> 3600 s -> gone in microseconds, and every read at every moment returns
// the same totals (nothing lost, nothing counted twice).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <filesystem>
#include <random>
#include <thread>

#include "storage/keys.h"
#include "storage/tiers.h"
#include "vigil/storage/metric_store.h"

namespace vigil::storage {
namespace {

constexpr int64_t kDaySeconds = 86400;
// A start aligned to every tier's block span (30 days), so the arithmetic below stays readable.
constexpr int64_t kT0 = 2592000 * 700;

SeriesKey Key(std::string name) {
  SeriesKey k{"111111111111", "us-east-1", "App", std::move(name), {{"Host", "a"}}};
  k.Canonicalize();
  return k;
}

Datum Point(const SeriesKey& k, int64_t seconds, double v, bool high_res = false,
            uint8_t unit = kUnitNone) {
  Datum d;
  d.series = k;
  d.unit = unit;
  d.high_resolution = high_res;
  d.timestamp = Timestamp::FromSeconds(seconds);
  d.stats.Add(v, 1);
  return d;
}

struct Totals {
  double count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  int64_t buckets = 0;
  int64_t min_gap = INT64_MAX;  // the narrowest spacing between bucket starts: the resolution
};

class TiersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-tiers-test-" + std::to_string(std::random_device{}()));
    Open();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open(uint64_t checkpoint_wal_bytes = 32 << 20,
            std::function<void(std::string_view)> hook = nullptr) {
    store_.reset();
    RocksOptions o{dir_.string(), SyncPolicy::kProcess, checkpoint_wal_bytes};
    o.test_hook = std::move(hook);
    auto s = OpenRocksMetricStore(o, clock_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }
  void Maintain(bool compact = false) {
    MaintenanceOptions o;
    o.compact = compact;
    auto r = store_->RunMaintenance(o);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  Totals Sum(const SeriesKey& k, int period, int64_t from = kT0 - 500 * kDaySeconds,
             int64_t to = kT0 + 600 * kDaySeconds) {
    Totals t;
    auto r = store_->Read(k, std::nullopt, Timestamp::FromSeconds(from), Timestamp::FromSeconds(to),
                          period);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return t;
    for (const auto& ub : *r) {
      for (size_t i = 0; i < ub.buckets.size(); ++i) {
        const auto& b = ub.buckets[i];
        if (i > 0) {
          EXPECT_LT(ub.buckets[i - 1].start, b.start);
          t.min_gap = std::min(t.min_gap, b.start.seconds() - ub.buckets[i - 1].start.seconds());
        }
        t.count += b.stats.sample_count;
        t.sum += b.stats.sum;
        t.min = std::min(t.min, b.stats.minimum);
        t.max = std::max(t.max, b.stats.maximum);
        EXPECT_DOUBLE_EQ(b.stats.values.total_count(), b.stats.sample_count);
        ++t.buckets;
      }
    }
    return t;
  }

  ManualClock clock_{Timestamp::FromSeconds(kT0)};
  std::filesystem::path dir_;
  std::unique_ptr<MetricStore> store_;
};

TEST_F(TiersTest, RollupsKeepEveryTotalAsDataAges) {
  auto k = Key("Aging");
  // Two hours of one sample a second (high resolution), 14 days of one a minute (standard).
  std::vector<Datum> batch;
  double count = 0, sum = 0, min = 1e300, max = -1e300;
  auto flush = [&] {
    ASSERT_TRUE(store_->Write(batch).ok());
    batch.clear();
  };
  for (int64_t s = kT0 - 2 * 3600; s < kT0; ++s) {
    batch.push_back(Point(k, s, static_cast<double>(s % 10), true));
    count += 1;
    sum += static_cast<double>(s % 10);
    if (batch.size() == 1000) flush();
  }
  for (int64_t s = kT0 - 14 * kDaySeconds; s < kT0; s += 60) {
    double v = static_cast<double>(s % 1000) / 10;
    batch.push_back(Point(k, s + 7, v));
    count += 1;
    sum += v;
    min = std::min(min, v);
    max = std::max(max, v);
    if (batch.size() == 1000) flush();
  }
  flush();

  // `recent` and `old`: the resolution the last two hours and the first week are read at, at
  // one-second periods (the finest tier that still holds them).
  auto expect_totals = [&](const char* when, int64_t recent, int64_t old) {
    SCOPED_TRACE(when);
    for (int period : {1, 60, 300, 3600}) {
      Totals t = Sum(k, period);
      EXPECT_EQ(t.count, count) << "period " << period;
      EXPECT_NEAR(t.sum, sum, 1e-9 * sum) << "period " << period;
      EXPECT_EQ(t.min, 0);
      EXPECT_EQ(t.max, max);
    }
    EXPECT_EQ(Sum(k, 1, kT0 - 2 * 3600, kT0).min_gap, recent);
    EXPECT_EQ(Sum(k, 1, kT0 - 14 * kDaySeconds, kT0 - 7 * kDaySeconds).min_gap, old);
  };
  expect_totals("fresh", 1, 60);
  Maintain();
  expect_totals("fresh, after maintenance", 1, 60);

  // 4 hours on: the 1-second data has rolled into minutes.
  clock_.Set(Timestamp::FromSeconds(kT0 + 4 * 3600));
  Maintain();
  expect_totals("after 4 hours", 60, 60);
  EXPECT_EQ(Sum(k, 1, kT0 - 2 * 3600, kT0).buckets, 120);
  // 8 days on: the first week is more than 15 days old, now 5-minute buckets; the second is not.
  clock_.Set(Timestamp::FromSeconds(kT0 + 8 * kDaySeconds));
  Maintain();
  expect_totals("after 8 days", 60, 300);
  // 16 days on: everything.
  clock_.Set(Timestamp::FromSeconds(kT0 + 16 * kDaySeconds));
  Maintain();
  expect_totals("after 16 days", 300, 300);
  // 64 days on: one-hour buckets only.
  clock_.Set(Timestamp::FromSeconds(kT0 + 64 * kDaySeconds));
  Maintain();
  expect_totals("after 64 days", 3600, 3600);
  EXPECT_EQ(Sum(k, 60).buckets, 14 * 24);

  // Reopening keeps the watermarks and the rolled data.
  Open();
  expect_totals("after reopening", 3600, 3600);

  // 470 days on: gone, and after compaction physically gone.
  clock_.Set(Timestamp::FromSeconds(kT0 + 470 * kDaySeconds));
  Maintain(/*compact=*/true);
  EXPECT_EQ(Sum(k, 60).count, 0);
  StoreStats st = store_->Stats();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(st.tier_bytes[t], 0u) << "tier " << t;
  EXPECT_GE(st.watermark_seconds[3], kT0 - kDaySeconds);
}

TEST_F(TiersTest, ExpiredBlocksLeaveTheDisk) {
  auto k = Key("Disk");
  std::vector<Datum> batch;
  for (int64_t s = kT0 - 2 * 3600; s < kT0; ++s) batch.push_back(Point(k, s, 1.5, true));
  ASSERT_TRUE(store_->Write(batch).ok());
  Maintain(/*compact=*/true);
  StoreStats before = store_->Stats();
  EXPECT_GT(before.tier_bytes[0], 0u);
  EXPECT_EQ(before.tier_bytes[1], 0u);
  clock_.Set(Timestamp::FromSeconds(kT0 + 4 * 3600));
  Maintain();  // rolls up and compacts the expired range of tier 0, without a full compaction
  StoreStats after = store_->Stats();
  EXPECT_EQ(after.tier_bytes[0], 0u);
  EXPECT_GT(after.watermark_seconds[0], before.watermark_seconds[0]);
  Maintain(/*compact=*/true);
  EXPECT_GT(store_->Stats().tier_bytes[1], 0u);
  EXPECT_EQ(Sum(k, 60).count, 7200);
}

TEST_F(TiersTest, LateDataLandsInTheTierThatHoldsItsTime) {
  auto k = Key("Late");
  ASSERT_TRUE(store_->Write({Point(k, kT0 - 600, 1)}).ok());
  Maintain();  // the block is on disk now
  ASSERT_TRUE(store_->Write({Point(k, kT0 - 590, 2), Point(k, kT0 - 7200, 4)}).ok());
  auto r = store_->Read(k, std::nullopt, Timestamp::FromSeconds(kT0 - 3 * 3600),
                        Timestamp::FromSeconds(kT0), 60);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)[0].buckets.size(), 2u);
  EXPECT_EQ((*r)[0].buckets[1].stats.sum, 3);
  EXPECT_EQ((*r)[0].buckets[1].stats.sample_count, 2);

  // High-resolution data older than 3 hours, after the 1-second tier moved on, is kept as
  // minutes (CloudWatch keeps it only at that resolution too).
  clock_.Set(Timestamp::FromSeconds(kT0 + 6 * 3600));
  Maintain();
  ASSERT_TRUE(store_->Write({Point(k, kT0 + 61, 8, true), Point(k, kT0 + 62, 16, true)}).ok());
  r = store_->Read(k, std::nullopt, Timestamp::FromSeconds(kT0), Timestamp::FromSeconds(kT0 + 120), 1);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)[0].buckets.size(), 1u);
  EXPECT_EQ((*r)[0].buckets[0].start, Timestamp::FromSeconds(kT0 + 60));
  EXPECT_EQ((*r)[0].buckets[0].stats.sum, 24);
  // And data older than 15 days (a test can write it; the API refuses it) goes to 5 minutes.
  clock_.Set(Timestamp::FromSeconds(kT0 + 20 * kDaySeconds));
  Maintain();
  ASSERT_TRUE(store_->Write({Point(k, kT0 + 301, 32)}).ok());
  r = store_->Read(k, std::nullopt, Timestamp::FromSeconds(kT0), Timestamp::FromSeconds(kT0 + 600), 60);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)[0].buckets.size(), 2u);
  EXPECT_EQ((*r)[0].buckets[0].start, Timestamp::FromSeconds(kT0));
  EXPECT_EQ((*r)[0].buckets[0].stats.sum, 24);
  EXPECT_EQ((*r)[0].buckets[1].start, Timestamp::FromSeconds(kT0 + 300));
  EXPECT_EQ((*r)[0].buckets[1].stats.sum, 32);
}

// A read at the exact moment a checkpoint or a rollup is durable but not yet switched to sees the
// same totals as before and after.
TEST_F(TiersTest, ReadsInsideCheckpointsAndRollupsCountEverythingOnce) {
  auto k = Key("Moment");
  double expected = 0;
  int checks = 0;
  std::vector<std::string> points;
  Open(32 << 20, [&](std::string_view point) {
    points.emplace_back(point);
    ++checks;
    EXPECT_EQ(Sum(k, 60).count, expected) << point << " #" << checks;
  });
  std::vector<Datum> batch;
  for (int64_t s = kT0 - 2 * kDaySeconds; s < kT0; s += 30) batch.push_back(Point(k, s, 1, s % 90 == 0));
  ASSERT_TRUE(store_->Write(batch).ok());
  expected = static_cast<double>(batch.size());
  for (int64_t step = 0; step < 80; ++step) {
    // Late data in the head at every checkpoint.
    ASSERT_TRUE(store_->Write({Point(k, clock_.Now().seconds() - 3600, 1, step % 2 == 0)}).ok());
    expected += 1;
    clock_.Set(Timestamp::FromSeconds(kT0 + step * kDaySeconds));
    Maintain();
  }
  EXPECT_GE(std::count(points.begin(), points.end(), "checkpoint-written"), 80);
  EXPECT_GT(std::count(points.begin(), points.end(), "rollup-written"), 20);
  EXPECT_EQ(Sum(k, 60).count, expected);
}

// Reads racing writes, checkpoints and rollups never see a datapoint twice or miss one: each read
// counts at least what was acknowledged before it began and at most what was sent before it ended.
TEST_F(TiersTest, ConcurrentReadsSeeExactTotalsThroughMaintenance) {
  Open(/*checkpoint_wal_bytes=*/4096);  // background checkpoints all the time, too
  auto k = Key("Race");
  std::vector<Datum> batch;
  for (int64_t s = kT0 - 3 * kDaySeconds; s < kT0; s += 20) {
    batch.push_back(Point(k, s, 1, (s / 20) % 3 == 0));
  }
  ASSERT_TRUE(store_->Write(batch).ok());
  std::atomic<double> acked{static_cast<double>(batch.size())};
  std::atomic<double> sent{static_cast<double>(batch.size())};
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0}, bad{0};
  std::thread reader([&] {
    while (!stop) {
      double lo = acked.load();
      auto r = store_->Read(k, std::nullopt, Timestamp::FromSeconds(kT0 - 500 * kDaySeconds),
                            Timestamp::FromSeconds(kT0 + 500 * kDaySeconds), 60);
      double hi = sent.load();
      double c = 0;
      if (r.ok()) {
        for (const auto& ub : *r) {
          for (const auto& b : ub.buckets) c += b.stats.sample_count;
        }
      }
      if (!r.ok() || c < lo || c > hi) ++bad;
      ++reads;
    }
  });
  std::thread writer([&] {
    std::mt19937_64 rng(1);
    for (int i = 0; !stop && i < 400; ++i) {
      std::vector<Datum> more;
      int64_t now = clock_.Now().seconds();
      for (int j = 0; j < 50; ++j) {
        // Mostly recent, some late (up to two weeks back), some high resolution.
        int64_t age = j % 5 == 0 ? static_cast<int64_t>(rng() % (14 * kDaySeconds)) : static_cast<int64_t>(rng() % 600);
        more.push_back(Point(k, now - age, 1, j % 3 == 0));
      }
      sent = sent.load() + 50;
      if (store_->Write(more).ok()) acked = acked.load() + 50;
    }
  });
  // Through every tier boundary, a few hours at a time.
  for (int64_t step = 0; step < 200; ++step) {
    clock_.Set(Timestamp::FromSeconds(kT0 + step * 8 * 3600));
    Maintain();
  }
  stop = true;
  writer.join();
  reader.join();
  EXPECT_GT(reads.load(), 10);
  EXPECT_EQ(bad.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_EQ(Sum(k, 3600).count, acked.load());
}

}  // namespace
}  // namespace vigil::storage
