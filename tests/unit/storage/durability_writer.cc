// The child of durability_test.cc: durability_writer <dir> <pipe fd> <always|process>.
// Writes batch i (one datum per series at kT0 + 60·i, value i) forever and reports i on the
// pipe after each acknowledged Write, until the parent kills it. A small checkpoint threshold
// and periodic maintenance make the kill land in every phase: WAL appends, checkpoints,
// rollups. Any failure exits with a distinct status, which the parent reports.
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "vigil/storage/metric_store.h"

namespace vigil::storage {
namespace {

constexpr int64_t kT0 = 1'800'000'000;
constexpr int kSeries = 100;

int Run(const std::string& dir, int fd, SyncPolicy sync) {
  ManualClock clock(Timestamp::FromSeconds(kT0));
  RocksOptions options{dir, sync, 64 << 10};
  auto store = OpenRocksMetricStore(options, clock);
  if (!store.ok()) return 2;
  for (int32_t i = 0;; ++i) {
    std::vector<Datum> batch;
    for (int k = 0; k < kSeries; ++k) {
      Datum d;
      std::string host = "h";
      host += std::to_string(k);
      d.series = SeriesKey{"111111111111", "us-east-1", "Durable", "M", {{"Host", host}}};
      d.series.Canonicalize();
      d.high_resolution = k % 4 == 0;
      d.timestamp = Timestamp::FromSeconds(kT0 + 60 * i);
      d.stats.Add(i, 1);
      batch.push_back(std::move(d));
    }
    if (!(*store)->Write(batch).ok()) return 3;
    if (write(fd, &i, sizeof i) != static_cast<ssize_t>(sizeof i)) return 4;
    if (i % 50 == 49) {
      clock.Advance(3'600'000);
      if (!(*store)->RunMaintenance({}).ok()) return 5;
    }
  }
}

}  // namespace
}  // namespace vigil::storage

int main(int argc, char** argv) {
  if (argc != 4) return 64;
  const std::string sync = argv[3];
  return vigil::storage::Run(argv[1], std::atoi(argv[2]),
                             sync == "always" ? vigil::storage::SyncPolicy::kAlways
                                              : vigil::storage::SyncPolicy::kProcess);
}
