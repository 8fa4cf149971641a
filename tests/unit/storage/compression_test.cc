// Bytes per datapoint on disk after full compaction, for a regular 60-second series with one
// sample a minute, on three datasets (docs/storage-format.md, "Measured size"):
//   - real CloudWatch data: the values of the NAB realAWSCloudwatch series (tests/data/nab),
//     replayed one value a minute, 40 series, 14 days: must stay <= 1.5 bytes;
//   - a synthetic integer gauge (request counts);
//   - a random-walk double (full-precision doubles: the worst case; reported, loosely bounded).
// Ingest goes through the store as a live server would: time moves forward, a maintenance pass
// (checkpoint) every simulated hour, then a full compaction; size = rocksdb.total-sst-files-size
// of every column family (series index, blocks, WAL, metadata) over the datapoints written.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>

#include "vigil/storage/metric_store.h"

#ifndef VIGIL_TEST_DATA_DIR
#error "VIGIL_TEST_DATA_DIR must name tests/data"
#endif

namespace vigil::storage {
namespace {

constexpr int64_t kT0 = 1'800'028'800;  // a multiple of 6 hours (a block boundary)
constexpr int64_t kMinutes = 14 * 24 * 60;

std::vector<std::vector<double>> NabFiles() {
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::directory_iterator(std::string(VIGIL_TEST_DATA_DIR) + "/nab")) {
    if (e.path().extension() == ".csv") paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::vector<double>> files;
  for (const auto& p : paths) {
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);  // header
    std::vector<double> values;
    while (std::getline(in, line)) {
      auto comma = line.find(',');
      if (comma != std::string::npos) values.push_back(std::stod(line.substr(comma + 1)));
    }
    files.push_back(std::move(values));
  }
  return files;
}

struct Measured {
  double bytes_per_point;
  double block_bytes_per_point;
};

// Writes `series` series of kMinutes one-a-minute values (value(series, minute)) and measures.
Measured Replay(const std::string& name, int series, const std::function<double(int, int64_t)>& value) {
  auto dir = std::filesystem::temp_directory_path() /
             ("vigil-compression-" + name + "-" + std::to_string(std::random_device{}()));
  ManualClock clock(Timestamp::FromSeconds(kT0));
  auto opened = OpenRocksMetricStore({dir.string(), SyncPolicy::kProcess}, clock);
  EXPECT_TRUE(opened.ok());
  auto& store = *opened;
  std::vector<SeriesKey> keys;
  for (int s = 0; s < series; ++s) {
    SeriesKey k{"123456789012", "us-east-1", "AWS/EC2", "CPUUtilization",
                {{"InstanceId", "i-" + std::to_string(1000000 + s)}}};
    k.Canonicalize();
    keys.push_back(std::move(k));
  }
  std::vector<Datum> batch;
  for (int64_t m = 0; m < kMinutes; ++m) {
    for (int s = 0; s < series; ++s) {
      Datum d;
      d.series = keys[s];
      d.unit = 13;  // Percent
      d.timestamp = Timestamp::FromSeconds(kT0 + 60 * m + 17);
      d.stats.Add(value(s, m), 1);
      batch.push_back(std::move(d));
    }
    if (batch.size() >= 1000) {
      EXPECT_TRUE(store->Write(batch).ok());
      batch.clear();
    }
    if (m % 60 == 59) {
      clock.Set(Timestamp::FromSeconds(kT0 + 60 * (m + 1)));
      EXPECT_TRUE(store->RunMaintenance({}).ok());
    }
  }
  EXPECT_TRUE(store->Write(batch).ok());
  MaintenanceOptions compact;
  compact.compact = true;
  EXPECT_TRUE(store->RunMaintenance(compact).ok());
  StoreStats st = store->Stats();
  double points = static_cast<double>(series) * kMinutes;

  // Lossless: every value reads back bit for bit.
  for (int s : {0, series - 1}) {
    auto r = store->Read(keys[s], std::nullopt, Timestamp::FromSeconds(kT0),
                         Timestamp::FromSeconds(kT0 + 60 * kMinutes), 60);
    EXPECT_TRUE(r.ok());
    if (!r.ok() || r->size() != 1) {
      ADD_FAILURE() << "series " << s << " missing";
      continue;
    }
    const auto& b = (*r)[0].buckets;
    EXPECT_EQ(b.size(), static_cast<size_t>(kMinutes));
    for (size_t m = 0; m < b.size(); ++m) {
      double v = value(s, static_cast<int64_t>(m));
      if (std::bit_cast<uint64_t>(b[m].stats.sum) != std::bit_cast<uint64_t>(v) ||
          b[m].stats.sample_count != 1 || b[m].start != Timestamp::FromSeconds(kT0 + 60 * static_cast<int64_t>(m))) {
        ADD_FAILURE() << "series " << s << " minute " << m << ": " << b[m].stats.sum << " != " << v;
        break;
      }
    }
  }
  store.reset();
  std::filesystem::remove_all(dir);
  Measured out{static_cast<double>(st.sst_bytes) / points, static_cast<double>(st.block_sst_bytes) / points};
  std::cout << "[bytes/datapoint] " << name << ": " << out.bytes_per_point << " (blocks alone "
            << out.block_bytes_per_point << "), " << series << " series x " << kMinutes
            << " minutes, " << st.sst_bytes << " bytes\n";
  ::testing::Test::RecordProperty(name + "_bytes_per_datapoint", std::to_string(out.bytes_per_point));
  return out;
}

TEST(CompressionTest, NabCloudWatchReplayCostsAtMostOneAndAHalfBytesAPoint) {
  auto files = NabFiles();
  ASSERT_EQ(files.size(), 8u);
  // Five series per file, each starting at a different place in it and wrapping around.
  Measured m = Replay("nab", 40, [&](int s, int64_t minute) {
    const auto& f = files[s % files.size()];
    size_t offset = static_cast<size_t>(s / files.size()) * 811;
    return f[(offset + static_cast<size_t>(minute)) % f.size()];
  });
  EXPECT_LE(m.bytes_per_point, 1.5);
}

TEST(CompressionTest, SyntheticGaugeAndRandomWalk) {
  // Request counts: Poisson around a daily cycle.
  std::vector<std::vector<double>> gauge(20), walk(20);
  std::mt19937_64 rng(42);
  for (auto& g : gauge) {
    for (int64_t m = 0; m < kMinutes; ++m) {
      double rate = 200 + 150 * std::sin(2 * M_PI * static_cast<double>(m) / 1440);
      g.push_back(static_cast<double>(std::poisson_distribution<int>(rate)(rng)));
    }
  }
  std::normal_distribution<double> step(0, 1);
  for (auto& w : walk) {
    double x = 100;
    for (int64_t m = 0; m < kMinutes; ++m) w.push_back(x += step(rng));
  }
  Measured g = Replay("gauge", 20, [&](int s, int64_t m) { return gauge[s][m]; });
  Measured w = Replay("random-walk", 20, [&](int s, int64_t m) { return walk[s][m]; });
  EXPECT_LE(g.bytes_per_point, 1.5);
  // Random 52-bit mantissas cannot compress much: bounded so it cannot regress unnoticed.
  EXPECT_LE(w.bytes_per_point, 8.0);
}

}  // namespace
}  // namespace vigil::storage
