// The MetricStore contract, run against both implementations (RocksDB and the memory twin).
#include "vigil/storage/metric_store.h"

#include <gtest/gtest.h>

#include <rocksdb/db.h>

#include <filesystem>
#include <random>

#include "storage/keys.h"

namespace vigil::storage {
namespace {

SeriesKey Key(std::string name, std::vector<Dimension> dims = {}, std::string account = "111111111111") {
  SeriesKey k{account, "us-east-1", "App", std::move(name), std::move(dims)};
  k.Canonicalize();
  return k;
}

Datum Point(const SeriesKey& k, int64_t seconds, double v, uint8_t unit = kUnitNone,
            bool high_res = false) {
  Datum d;
  d.series = k;
  d.unit = unit;
  d.high_resolution = high_res;
  d.timestamp = Timestamp::FromSeconds(seconds);
  d.stats.Add(v, 1);
  return d;
}

enum class Impl { kRocks, kMemory };

class MetricStoreTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void Open() {
    if (GetParam() == Impl::kMemory) {
      store_ = NewMemoryMetricStore();
      return;
    }
    if (dir_.empty()) {
      dir_ = std::filesystem::temp_directory_path() /
             ("vigil-store-test-" + std::to_string(std::random_device{}()));
    }
    auto s = OpenRocksMetricStore({dir_.string(), SyncPolicy::kProcess}, clock_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }

  ManualClock clock_{Timestamp::FromSeconds(1'800'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<MetricStore> store_;
};

TEST_P(MetricStoreTest, MergesDatapointsOfOneMinute) {
  auto k = Key("Latency");
  ASSERT_TRUE(store_->Write({Point(k, 120, 1), Point(k, 150, 3), Point(k, 179, 5)}).ok());
  ASSERT_TRUE(store_->Write({Point(k, 180, 7)}).ok());
  auto r = store_->Read(k, std::nullopt, Timestamp::FromSeconds(0), Timestamp::FromSeconds(1000), 60);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  const auto& b = (*r)[0].buckets;
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].start, Timestamp::FromSeconds(120));
  EXPECT_EQ(b[0].stats.sample_count, 3);
  EXPECT_EQ(b[0].stats.sum, 9);
  EXPECT_EQ(b[0].stats.minimum, 1);
  EXPECT_EQ(b[0].stats.maximum, 5);
  EXPECT_EQ(b[1].start, Timestamp::FromSeconds(180));
}

TEST_P(MetricStoreTest, HighResolutionKeepsSeconds) {
  auto k = Key("Hr");
  ASSERT_TRUE(store_->Write({Point(k, 121, 1, kUnitNone, true), Point(k, 122, 2, kUnitNone, true)}).ok());
  auto r = store_->Read(k, std::nullopt, Timestamp::FromSeconds(0), Timestamp::FromSeconds(1000), 60);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)[0].buckets.size(), 2u);
  EXPECT_EQ((*r)[0].buckets[1].start, Timestamp::FromSeconds(122));
}

TEST_P(MetricStoreTest, KeepsUnitsApartAndFiltersByUnit) {
  auto k = Key("Mixed");
  ASSERT_TRUE(store_->Write({Point(k, 60, 1, *UnitCode("Seconds")), Point(k, 60, 5, *UnitCode("Count")),
                             Point(k, 60, 10)})
                  .ok());
  auto all = store_->Read(k, std::nullopt, Timestamp{0}, Timestamp::FromSeconds(600), 60);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  auto secs = store_->Read(k, UnitCode("Seconds"), Timestamp{0}, Timestamp::FromSeconds(600), 60);
  ASSERT_EQ(secs->size(), 1u);
  EXPECT_EQ((*secs)[0].buckets[0].stats.sum, 1);
}

TEST_P(MetricStoreTest, RangeIsStartInclusiveEndExclusive) {
  auto k = Key("Range");
  ASSERT_TRUE(store_->Write({Point(k, 60, 1), Point(k, 120, 2), Point(k, 180, 3)}).ok());
  auto r = store_->Read(k, std::nullopt, Timestamp::FromSeconds(120), Timestamp::FromSeconds(180), 60);
  ASSERT_EQ(r->size(), 1u);
  ASSERT_EQ((*r)[0].buckets.size(), 1u);
  EXPECT_EQ((*r)[0].buckets[0].stats.sum, 2);
}

TEST_P(MetricStoreTest, IdentityIsTheExactDimensionSet) {
  auto a = Key("M", {{"Host", "a"}, {"Az", "1"}});
  auto b = Key("M", {{"Az", "1"}, {"Host", "a"}});  // same set, other order
  auto c = Key("M", {{"Host", "a"}});
  ASSERT_TRUE(store_->Write({Point(a, 60, 1), Point(b, 60, 2), Point(c, 60, 4)}).ok());
  auto r = store_->Read(a, std::nullopt, Timestamp{0}, Timestamp::FromSeconds(600), 60);
  EXPECT_EQ((*r)[0].buckets[0].stats.sum, 3);
  auto none = store_->Read(Key("M"), std::nullopt, Timestamp{0}, Timestamp::FromSeconds(600), 60);
  EXPECT_TRUE(none->empty());
}

TEST_P(MetricStoreTest, ListsWithFiltersAndPaging) {
  std::vector<Datum> data;
  for (int i = 0; i < 30; ++i) {
    data.push_back(Point(Key("M" + std::to_string(i % 3), {{"Host", "h" + std::to_string(i)}}), 60, 1));
  }
  data.push_back(Point(Key("Other", {}, "222222222222"), 60, 1));
  ASSERT_TRUE(store_->Write(data).ok());
  ListFilter f{"111111111111", "us-east-1", std::nullopt, std::nullopt, {}, std::nullopt};
  auto all = store_->List(f, std::nullopt, 1000);
  ASSERT_EQ(all->size(), 30u);
  f.metric_name = "M1";
  f.namespace_ = "App";
  EXPECT_EQ(store_->List(f, std::nullopt, 1000)->size(), 10u);
  f.dimensions.push_back({"Host", std::string("h4")});
  auto one = store_->List(f, std::nullopt, 1000);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().key.dimensions[0].value, "h4");
  // Paging resumes strictly after the last key.
  ListFilter g{"111111111111", "us-east-1", std::nullopt, std::nullopt, {}, std::nullopt};
  std::vector<SeriesKey> seen;
  std::optional<SeriesKey> after;
  for (;;) {
    auto page = store_->List(g, after, 7);
    ASSERT_TRUE(page.ok());
    for (auto& s : *page) seen.push_back(s.key);
    if (page->size() < 7) break;
    after = page->back().key;
  }
  EXPECT_EQ(seen.size(), 30u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end(), [](const SeriesKey& x, const SeriesKey& y) {
    return EncodeSeriesKey(x) < EncodeSeriesKey(y);
  }));
}

TEST_P(MetricStoreTest, ListHonoursActiveSince) {
  ASSERT_TRUE(store_->Write({Point(Key("Old"), 1000, 1), Point(Key("New"), 100000, 1)}).ok());
  ListFilter f{"111111111111", "us-east-1", std::nullopt, std::nullopt, {}, Timestamp::FromSeconds(50000)};
  auto r = store_->List(f, std::nullopt, 10);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front().key.metric_name, "New");
}

TEST_P(MetricStoreTest, ResetWipesEverything) {
  ASSERT_TRUE(store_->Write({Point(Key("A"), 60, 1)}).ok());
  ASSERT_TRUE(store_->Reset().ok());
  ListFilter f{"111111111111", "us-east-1", std::nullopt, std::nullopt, {}, std::nullopt};
  EXPECT_TRUE(store_->List(f, std::nullopt, 10)->empty());
  EXPECT_TRUE(store_->Read(Key("A"), std::nullopt, Timestamp{0}, Timestamp::FromSeconds(600), 60)->empty());
  ASSERT_TRUE(store_->Write({Point(Key("B"), 60, 2)}).ok());
  EXPECT_EQ(store_->List(f, std::nullopt, 10)->size(), 1u);
}

TEST_P(MetricStoreTest, StatisticSetsAndValueArraysKeepWhatPercentilesNeed) {
  auto k = Key("Mix");
  Datum values = Point(k, 60, 1);
  values.stats = Aggregate();
  values.stats.Add(1, 3);  // Values [1, 2] with Counts [3, 1]
  values.stats.Add(2, 1);
  Datum set = Point(k, 70, 0);
  set.stats = Aggregate();
  set.stats.AddStatisticSet(4, 10, 2, 3);  // not expandable: percentiles become unavailable
  Datum repeated = Point(k, 130, 0);
  repeated.stats = Aggregate();
  repeated.stats.AddStatisticSet(5, 25, 5, 5);  // Min = Max: five times 5
  ASSERT_TRUE(store_->Write({values, Point(k, 80, 7)}).ok());
  ASSERT_TRUE(store_->Write({set, repeated}).ok());
  auto r = store_->Read(k, std::nullopt, Timestamp{0}, Timestamp::FromSeconds(600), 60);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  const auto& b = (*r)[0].buckets;
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].stats.sample_count, 9);
  EXPECT_EQ(b[0].stats.sum, 22);
  EXPECT_EQ(b[0].stats.minimum, 1);
  EXPECT_EQ(b[0].stats.maximum, 7);
  EXPECT_FALSE(b[0].stats.values_complete);
  auto pts = b[0].stats.values.Points();
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_EQ(pts[0].value, 1);
  EXPECT_EQ(pts[0].count, 3);
  EXPECT_EQ(pts[2].value, 7);
  EXPECT_TRUE(b[1].stats.values_complete);
  EXPECT_EQ(b[1].stats.values.total_count(), 5);
}

TEST_P(MetricStoreTest, HighResolutionAndStandardDataShareAMinuteStart) {
  auto k = Key("Both");
  ASSERT_TRUE(store_->Write({Point(k, 120, 1, kUnitNone, true), Point(k, 150, 2),
                             Point(k, 121, 4, kUnitNone, true)})
                  .ok());
  auto r = store_->Read(k, std::nullopt, Timestamp{0}, Timestamp::FromSeconds(600), 60);
  ASSERT_TRUE(r.ok());
  const auto& b = (*r)[0].buckets;
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].start, Timestamp::FromSeconds(120));
  EXPECT_EQ(b[0].stats.sum, 3);
  EXPECT_EQ(b[1].start, Timestamp::FromSeconds(121));
}

TEST_P(MetricStoreTest, LateDataMergesIntoItsBucket) {
  auto k = Key("Late");
  const int64_t now = clock_.Now().seconds();  // a minute boundary
  ASSERT_TRUE(store_->Write({Point(k, now - 600, 1), Point(k, now - 300, 2)}).ok());
  ASSERT_TRUE(store_->RunMaintenance({}).ok());  // RocksDB: the head is written out
  ASSERT_TRUE(store_->Write({Point(k, now - 590, 4), Point(k, now - 7200, 8)}).ok());
  auto r = store_->Read(k, std::nullopt, Timestamp::FromSeconds(now - 86400),
                        Timestamp::FromSeconds(now), 60);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  const auto& b = (*r)[0].buckets;
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].stats.sum, 8);
  EXPECT_EQ(b[1].stats.sum, 5);
  EXPECT_EQ(b[1].stats.sample_count, 2);
  EXPECT_EQ(b[2].stats.sum, 2);
}

INSTANTIATE_TEST_SUITE_P(Impls, MetricStoreTest, ::testing::Values(Impl::kRocks, Impl::kMemory),
                         [](const auto& info) {
                           return info.param == Impl::kRocks ? std::string("Rocks")
                                                             : std::string("Memory");
                         });

TEST(RocksMetricStoreTest, SurvivesReopen) {
  ManualClock clock(Timestamp::FromSeconds(1'800'000'000));
  auto dir = std::filesystem::temp_directory_path() /
             ("vigil-reopen-test-" + std::to_string(std::random_device{}()));
  auto k = Key("Durable", {{"Host", "x"}});
  {
    auto store = OpenRocksMetricStore({dir.string(), SyncPolicy::kProcess}, clock);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Write({Point(k, 60, 1), Point(k, 60, 2)}).ok());
  }
  {
    auto store = OpenRocksMetricStore({dir.string(), SyncPolicy::kProcess}, clock);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Write({Point(k, 60, 4), Point(Key("Second"), 60, 1)}).ok());
    auto r = (*store)->Read(k, std::nullopt, Timestamp{0}, Timestamp::FromSeconds(600), 60);
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].buckets[0].stats.sum, 7);
    EXPECT_EQ((*r)[0].buckets[0].stats.sample_count, 3);
    ListFilter f{"111111111111", "us-east-1", std::nullopt, std::nullopt, {}, std::nullopt};
    EXPECT_EQ((*store)->List(f, std::nullopt, 10)->size(), 2u);
  }
  std::filesystem::remove_all(dir);
}

// The RocksDB store answers exactly as the memory twin through random writes (late data, several
// units, both resolutions, statistic sets, sketches), checkpoints, compactions and reopening.
// Integer values keep every sum exact whatever order the merges ran in; the clock stays before the
// data, so no rollup changes resolutions (the twin has no tiers; tiers_test.cc covers them).
TEST(RocksMetricStoreTest, AgreesWithTheMemoryTwinThroughCheckpointsAndReopening) {
  ManualClock clock(Timestamp::FromSeconds(1'700'000'000));
  auto dir = std::filesystem::temp_directory_path() /
             ("vigil-differential-" + std::to_string(std::random_device{}()));
  auto memory = NewMemoryMetricStore();
  auto open = [&] {
    auto s = OpenRocksMetricStore({dir.string(), SyncPolicy::kProcess, 16 << 10}, clock);
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
  };
  auto rocks = open();
  std::vector<SeriesKey> keys;
  for (int i = 0; i < 6; ++i) keys.push_back(Key("D" + std::to_string(i % 3), {{"Host", std::to_string(i)}}));
  std::mt19937_64 rng(99);
  const int64_t base = 1'800'000'000 - 3 * 86400;
  for (int round = 0; round < 60; ++round) {
    std::vector<Datum> batch;
    for (int j = 0; j < 200; ++j) {
      const auto& k = keys[rng() % keys.size()];
      int64_t t = base + static_cast<int64_t>(rng() % (3 * 86400));
      Datum d = Point(k, t, static_cast<double>(rng() % 1000), rng() % 4 == 0 ? 13 : kUnitNone, rng() % 5 == 0);
      if (j % 17 == 0) {
        d.stats = Aggregate();
        d.stats.AddStatisticSet(4, static_cast<double>(rng() % 40), 0, 10);
      } else if (j % 23 == 0) {
        d.stats = Aggregate();
        for (int v = 0; v < 100; ++v) d.stats.Add(static_cast<double>(v * 3 + 1), 2);  // a sketch
      }
      batch.push_back(std::move(d));
    }
    ASSERT_TRUE(rocks->Write(batch).ok());
    ASSERT_TRUE(memory->Write(batch).ok());
    if (round % 7 == 3) {
      ASSERT_TRUE(rocks->RunMaintenance({}).ok());
    }
    if (round % 13 == 5) {
      MaintenanceOptions o;
      o.compact = true;
      ASSERT_TRUE(rocks->RunMaintenance(o).ok());
    }
    if (round % 19 == 9) {
      rocks.reset();
      rocks = open();
    }
  }
  for (const auto& k : keys) {
    for (auto unit : {std::optional<uint8_t>(), std::optional<uint8_t>(13)}) {
      auto a = rocks->Read(k, unit, Timestamp::FromSeconds(base - 10), Timestamp::FromSeconds(base + 4 * 86400), 60);
      auto b = memory->Read(k, unit, Timestamp::FromSeconds(base - 10), Timestamp::FromSeconds(base + 4 * 86400), 60);
      ASSERT_TRUE(a.ok() && b.ok());
      ASSERT_EQ(a->size(), b->size());
      for (size_t u = 0; u < a->size(); ++u) {
        const auto& x = (*a)[u];
        const auto& y = (*b)[u];
        ASSERT_EQ(x.unit, y.unit);
        ASSERT_EQ(x.buckets.size(), y.buckets.size());
        for (size_t i = 0; i < x.buckets.size(); ++i) {
          const auto& p = x.buckets[i];
          const auto& q = y.buckets[i];
          ASSERT_EQ(p.start, q.start);
          EXPECT_EQ(p.stats.sample_count, q.stats.sample_count);
          EXPECT_EQ(p.stats.sum, q.stats.sum);
          EXPECT_EQ(p.stats.minimum, q.stats.minimum);
          EXPECT_EQ(p.stats.maximum, q.stats.maximum);
          EXPECT_EQ(p.stats.values_complete, q.stats.values_complete);
          EXPECT_TRUE(p.stats.values == q.stats.values) << "bucket " << p.start.seconds();
        }
      }
    }
  }
  ListFilter f{"111111111111", "us-east-1", std::nullopt, std::nullopt, {}, std::nullopt};
  auto la = rocks->List(f, std::nullopt, 100);
  auto lb = memory->List(f, std::nullopt, 100);
  ASSERT_EQ(la->size(), lb->size());
  for (size_t i = 0; i < la->size(); ++i) {
    EXPECT_EQ((*la)[i].key, (*lb)[i].key);
    EXPECT_EQ((*la)[i].last_timestamp, (*lb)[i].last_timestamp);
  }
  rocks.reset();
  std::filesystem::remove_all(dir);
}

TEST(RocksMetricStoreTest, ListKeepsNewestTimesAcrossRestarts) {
  ManualClock clock(Timestamp::FromSeconds(1'800'000'000));
  auto dir = std::filesystem::temp_directory_path() /
             ("vigil-list-restart-" + std::to_string(std::random_device{}()));
  {
    auto store = OpenRocksMetricStore({dir.string(), SyncPolicy::kProcess}, clock);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Write({Point(Key("Old"), 1'700'000'000, 1)}).ok());
    ASSERT_TRUE((*store)->Write({Point(Key("Fresh"), 1'700'000'000, 1)}).ok());
    ASSERT_TRUE((*store)->RunMaintenance({}).ok());
    ASSERT_TRUE((*store)->Write({Point(Key("Fresh"), 1'799'999'000, 1)}).ok());
  }
  auto store = OpenRocksMetricStore({dir.string(), SyncPolicy::kProcess}, clock);
  ASSERT_TRUE(store.ok());
  ListFilter f{"111111111111", "us-east-1", std::nullopt, std::nullopt, {},
               Timestamp::FromSeconds(1'800'000'000 - 3 * 3600)};
  auto r = (*store)->List(f, std::nullopt, 10);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front().key.metric_name, "Fresh");
  EXPECT_EQ(r->front().last_timestamp, Timestamp::FromSeconds(1'799'999'000));
  store->reset();
  std::filesystem::remove_all(dir);
}

TEST(RocksMetricStoreTest, RefusesTheEarlierFormatWithAClearMessage) {
  ManualClock clock(Timestamp::FromSeconds(1'800'000'000));
  auto dir = std::filesystem::temp_directory_path() /
             ("vigil-old-format-" + std::to_string(std::random_device{}()));
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir.string(), &db).ok());
    rocksdb::ColumnFamilyHandle* cf = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "points", &cf).ok());
    db->DestroyColumnFamilyHandle(cf);
    delete db;
  }
  auto store = OpenRocksMetricStore({dir.string(), SyncPolicy::kProcess}, clock);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("earlier"), std::string::npos) << store.error().message;
  std::filesystem::remove_all(dir);
}

TEST(KeysTest, ComponentsKeepOrderAndNulBytes) {
  std::string a, b;
  AppendComponent(a, std::string("a\0b", 3));
  AppendComponent(b, "a");
  EXPECT_GT(a, b);
  std::string_view in = a;
  EXPECT_EQ(ReadComponent(in), std::string("a\0b", 3));
  EXPECT_TRUE(in.empty());
  SeriesKey k{"1", "r", "n", "m", {{"d", std::string("\0", 1)}}};
  EXPECT_EQ(DecodeSeriesKey(EncodeSeriesKey(k)), k);
  EXPECT_FALSE(DecodeSeriesKey("garbage").has_value());
}

TEST(KeysTest, UnitsRoundTrip) {
  EXPECT_EQ(UnitName(*UnitCode("Count/Second")), "Count/Second");
  EXPECT_EQ(UnitName(kUnitNone), "None");
  EXPECT_FALSE(UnitCode("Furlongs").has_value());
}

}  // namespace
}  // namespace vigil::storage
