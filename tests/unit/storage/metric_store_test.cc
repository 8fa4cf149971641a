// The MetricStore contract, run against both implementations (RocksDB and the memory twin).
#include "vigil/storage/metric_store.h"

#include <gtest/gtest.h>

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
