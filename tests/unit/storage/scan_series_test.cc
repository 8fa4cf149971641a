// MetricStore::ScanSeries and DecodeSeriesKeyInto, against both implementations (RocksDB, whose
// index overrides ScanSeries, and the memory twin, which uses the default over List).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "vigil/storage/metric_store.h"

namespace vigil::storage {
namespace {

SeriesKey Key(std::string account, std::string ns, std::string name,
              std::vector<Dimension> dims = {}) {
  SeriesKey k{std::move(account), "us-east-1", std::move(ns), std::move(name), std::move(dims)};
  k.Canonicalize();
  return k;
}

Datum Point(const SeriesKey& k, int64_t seconds) {
  Datum d;
  d.series = k;
  d.timestamp = Timestamp::FromSeconds(seconds);
  d.stats.Add(1, 1);
  return d;
}

enum class Impl { kRocks, kMemory };

class ScanSeriesTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    if (GetParam() == Impl::kMemory) {
      store_ = NewMemoryMetricStore();
      return;
    }
    std::string name = "vigil-scan-test-";
    name += std::to_string(std::random_device{}());
    dir_ = std::filesystem::temp_directory_path() / name;
    auto s = OpenRocksMetricStore({dir_.string(), SyncPolicy::kProcess}, clock_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // The decoded keys ScanSeries visits, sorted.
  std::vector<SeriesKey> Scan(const ListFilter& f, size_t stop_after = SIZE_MAX) {
    std::vector<SeriesKey> out;
    SeriesKey k;
    Status st = store_->ScanSeries(f, [&](std::string_view bytes, Timestamp last) {
      EXPECT_TRUE(DecodeSeriesKeyInto(bytes, k));
      EXPECT_EQ(last.seconds(), k.metric_name == "Old" ? 1000 : 100'000);
      out.push_back(k);
      return out.size() < stop_after;
    });
    EXPECT_TRUE(st.ok());
    std::sort(out.begin(), out.end());
    return out;
  }

  ManualClock clock_{Timestamp::FromSeconds(1'800'000'000)};
  std::filesystem::path dir_;
  std::unique_ptr<MetricStore> store_;
};

TEST_P(ScanSeriesTest, VisitsWhatListWouldReturn) {
  std::vector<Datum> data;
  for (int i = 0; i < 20; ++i) {
    std::string host = "h";
    host += std::to_string(i);
    data.push_back(Point(Key("1", i % 2 ? "A" : "B", i % 4 < 2 ? "M" : "N", {{"Host", host}}),
                         100'000));
  }
  data.push_back(Point(Key("2", "A", "M"), 100'000));  // another account
  data.push_back(Point(Key("1", "A", "Old"), 1000));
  ASSERT_TRUE(store_->Write(data).ok());

  ListFilter f{"1", "us-east-1", std::nullopt, std::nullopt, {}, std::nullopt};
  auto listed = store_->List(f, std::nullopt, 1000);
  ASSERT_TRUE(listed.ok());
  std::vector<SeriesKey> expected;
  for (const auto& s : *listed) expected.push_back(s.key);
  EXPECT_EQ(Scan(f), expected);
  EXPECT_EQ(expected.size(), 21u);

  f.namespace_ = "A";
  EXPECT_EQ(Scan(f).size(), 11u);  // 10 hosts and Old
  f.metric_name = "M";
  EXPECT_EQ(Scan(f).size(), 5u);
  f.active_since = Timestamp::FromSeconds(50'000);
  f.namespace_.reset();
  f.metric_name.reset();
  EXPECT_EQ(Scan(f).size(), 20u);  // Old is too old
  // Dimension filters are List's alone.
  f.dimensions.push_back({"Host", std::string("h3")});
  EXPECT_EQ(Scan(f).size(), 20u);
  // Stops when visit says so.
  EXPECT_EQ(Scan(f, 3).size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Impls, ScanSeriesTest, ::testing::Values(Impl::kRocks, Impl::kMemory),
                         [](const auto& info) {
                           return info.param == Impl::kRocks ? std::string("Rocks")
                                                             : std::string("Memory");
                         });

TEST(DecodeSeriesKeyIntoTest, RoundTripsAndReusesTheKey) {
  SeriesKey reused;
  SeriesKey a = Key("123", "ns", "m", {{"a", "1"}, {"b", std::string("x\0y", 3)}});
  ASSERT_TRUE(DecodeSeriesKeyInto(EncodeSeriesKey(a), reused));
  EXPECT_EQ(reused, a);
  SeriesKey b = Key("123", "ns2", "metric", {});
  ASSERT_TRUE(DecodeSeriesKeyInto(EncodeSeriesKey(b), reused));
  EXPECT_EQ(reused, b);  // the dimensions of `a` are gone
  EXPECT_EQ(DecodeSeriesKey(EncodeSeriesKey(a)), a);
  // Malformed: truncated, a bad escape, a dimension name without a value.
  std::string bytes = EncodeSeriesKey(a);
  EXPECT_FALSE(DecodeSeriesKeyInto(bytes.substr(0, bytes.size() - 1), reused));
  EXPECT_FALSE(DecodeSeriesKeyInto(std::string("ab\0\x07", 4), reused));
  std::string half = EncodeSeriesKey(b);
  half += std::string("d\0\x01", 3);
  EXPECT_FALSE(DecodeSeriesKeyInto(half, reused));
}

}  // namespace
}  // namespace vigil::storage
