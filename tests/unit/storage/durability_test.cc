// Acknowledged writes survive kill -9: a child process (durability_writer.cc) writes batches
// and reports each acknowledged one through a pipe; the parent SIGKILLs it mid-stream,
// reopens the store and finds every acknowledged datapoint (docs/storage-format.md, "Recovery").
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>

#include "vigil/storage/metric_store.h"

namespace vigil::storage {
namespace {

constexpr int64_t kT0 = 1'800'000'000;
constexpr int kSeries = 100;

SeriesKey Key(int k) {
  std::string host = "h";
  host += std::to_string(k);
  SeriesKey key{"111111111111", "us-east-1", "Durable", "M", {{"Host", host}}};
  key.Canonicalize();
  return key;
}

class DurabilityTest : public ::testing::TestWithParam<SyncPolicy> {};

TEST_P(DurabilityTest, EveryAcknowledgedBatchSurvivesSigkill) {
  auto dir = std::filesystem::temp_directory_path() /
             ("vigil-durability-" + std::to_string(std::random_device{}()));
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    const std::string fd = std::to_string(fds[1]);
    const char* sync = GetParam() == SyncPolicy::kAlways ? "always" : "process";
    execl(VIGIL_DURABILITY_WRITER, "durability_writer", dir.c_str(), fd.c_str(), sync,
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  // Kill after a few hundred acknowledged batches, at a moment that varies from run to run.
  const int32_t kill_after = 200 + static_cast<int32_t>(std::random_device{}() % 200);
  int32_t last = -1, i;
  while (last < kill_after && read(fds[0], &i, sizeof i) == sizeof i) {
    ASSERT_EQ(i, last + 1);
    last = i;
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << status;
  // Batches acknowledged before the kill may still be in the pipe.
  while (read(fds[0], &i, sizeof i) == sizeof i) {
    ASSERT_EQ(i, last + 1);
    last = i;
  }
  close(fds[0]);
  ASSERT_GE(last, kill_after);

  ManualClock clock(Timestamp::FromSeconds(kT0 + 3600 * (last / 50 + 1)));
  auto store = OpenRocksMetricStore({dir.string(), SyncPolicy::kProcess}, clock);
  ASSERT_TRUE(store.ok()) << store.error().message;
  for (int k = 0; k < kSeries; ++k) {
    auto r = (*store)->Read(Key(k), std::nullopt, Timestamp::FromSeconds(kT0),
                            Timestamp::FromSeconds(kT0 + 60 * (last + 10)), 60);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 1u);
    const auto& buckets = (*r)[0].buckets;
    // Every acknowledged batch is there once; the one in flight at the kill may be too.
    ASSERT_GE(buckets.size(), static_cast<size_t>(last + 1)) << "series " << k;
    ASSERT_LE(buckets.size(), static_cast<size_t>(last + 2)) << "series " << k;
    for (int32_t b = 0; b <= last; ++b) {
      ASSERT_EQ(buckets[b].start, Timestamp::FromSeconds(kT0 + 60 * b));
      ASSERT_EQ(buckets[b].stats.sample_count, 1) << "series " << k << " batch " << b;
      ASSERT_EQ(buckets[b].stats.sum, b);
    }
  }
  ListFilter f{"111111111111", "us-east-1", std::string("Durable"), std::nullopt, {}, std::nullopt};
  EXPECT_EQ((*store)->List(f, std::nullopt, 1000)->size(), static_cast<size_t>(kSeries));
  store->reset();
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Sync, DurabilityTest,
                         ::testing::Values(SyncPolicy::kProcess, SyncPolicy::kAlways),
                         [](const auto& info) {
                           return info.param == SyncPolicy::kAlways ? std::string("Always")
                                                                    : std::string("Process");
                         });

}  // namespace
}  // namespace vigil::storage
