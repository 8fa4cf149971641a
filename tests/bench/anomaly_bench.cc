// Anomaly-model benchmarks (docs/anomaly-detection.md "Performance"):
//   BM_Train14Days1Min   one training on 14 days at 60 s (20,160 points): target <= 20 ms
//   BM_Train14Days5Min   the same at 300 s (4,032 points), the NAB series' shape
//   BM_Causal14Days5Min  causal bands for every point of 14 days at 300 s, retrained every 5 min
//                        (4,032 trainings on growing windows: the NAB replay's cost per series)
//   BM_BandAt            one band lookup from a trained model
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "vigil/anomaly/model.h"

namespace {

using vigil::Timestamp;
using vigil::anomaly::Model;
using vigil::anomaly::Point;
using vigil::anomaly::TrainingOptions;

// A daily sine with a weekly weekend dip, noise from a fixed LCG and a few spikes.
std::vector<Point> Series(int64_t period, int64_t days) {
  std::vector<Point> out;
  uint64_t state = 42;
  const int64_t t0 = 1700000000 / 86400 * 86400;
  for (int64_t t = t0; t < t0 + days * 86400; t += period) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double noise = static_cast<double>(state >> 40) / static_cast<double>(1ULL << 24) - 0.5;
    double v = 50 + 20 * std::sin(2 * M_PI * static_cast<double>(t % 86400) / 86400.0) + 4 * noise;
    if (((t / 86400) + 4) % 7 >= 5) v -= 15;
    if ((state >> 20) % 997 == 0) v += 60;
    out.push_back(Point{Timestamp::FromSeconds(t), v});
  }
  return out;
}

void Train(benchmark::State& state, int64_t period) {
  const auto points = Series(period, 14);
  TrainingOptions options;
  options.period_seconds = period;
  options.timezone = "Europe/Berlin";
  const Timestamp as_of = Timestamp::FromSeconds(points.back().t.seconds() + period);
  for (auto _ : state) {
    auto model = Model::Train(points, options, as_of);
    benchmark::DoNotOptimize(model);
  }
  state.counters["points"] = static_cast<double>(points.size());
}

void BM_Train14Days1Min(benchmark::State& state) { Train(state, 60); }
void BM_Train14Days5Min(benchmark::State& state) { Train(state, 300); }

void BM_Causal14Days5Min(benchmark::State& state) {
  const auto points = Series(300, 14);
  TrainingOptions options;
  options.period_seconds = 300;
  const std::span<const Point> all(points);
  for (auto _ : state) {
    auto bands = vigil::anomaly::CausalBands(all, options, 2.0, 300);
    benchmark::DoNotOptimize(bands);
  }
  state.counters["points"] = static_cast<double>(points.size());
}

void BM_BandAt(benchmark::State& state) {
  const auto points = Series(60, 14);
  TrainingOptions options;
  options.period_seconds = 60;
  options.timezone = "America/New_York";
  auto model = Model::Train(points, options, Timestamp::FromSeconds(points.back().t.seconds() + 60));
  int64_t t = points.back().t.seconds();
  for (auto _ : state) {
    t += 60;
    benchmark::DoNotOptimize(model->BandAt(Timestamp::FromSeconds(t), 2.0));
  }
}

BENCHMARK(BM_Train14Days1Min)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Train14Days5Min)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Causal14Days5Min)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_BandAt);

}  // namespace

BENCHMARK_MAIN();
