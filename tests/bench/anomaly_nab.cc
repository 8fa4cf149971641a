// Replays NAB series through the anomaly model causally and writes the bands score_nab.py reads
// (docs/anomaly-detection.md "Accuracy"). One configuration for every series: no per-series
// options other than the period, which is read off the data.
//
//   anomaly_nab --nab <nab-dev> --subset realAWSCloudwatch --out <dir> [--k 2] [--retrain 300]
//
// Writes <dir>/<series>.csv with `timestamp,lower,upper` (empty while the model has no band).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <date/date.h>

#include "vigil/anomaly/model.h"

namespace fs = std::filesystem;
using vigil::anomaly::Point;

namespace {

bool ParseTime(const std::string& s, int64_t* out) {
  std::istringstream in(s.substr(0, 19));
  date::sys_seconds tp;
  in >> date::parse("%Y-%m-%d %H:%M:%S", tp);
  if (in.fail()) return false;
  *out = tp.time_since_epoch().count();
  return true;
}

int Usage() {
  std::cerr << "usage: anomaly_nab --nab DIR --subset NAME --out DIR [--k 2] [--retrain 300]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string nab, subset = "realAWSCloudwatch", out;
  double k = 2;
  int64_t retrain = 300;
  vigil::anomaly::ModelParams params;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--nab") nab = v;
    else if (a == "--subset") subset = v;
    else if (a == "--out") out = v;
    else if (a == "--k") k = std::atof(v.c_str());
    else if (a == "--retrain") retrain = std::atoll(v.c_str());
    // Model parameters, for exploring the one configuration (the defaults are the documented one).
    else if (a == "--level") params.level_seconds = std::atoll(v.c_str());
    else if (a == "--quantile") params.scale_quantile = std::atof(v.c_str());
    else if (a == "--divisor") params.tail_divisor = std::atof(v.c_str());
    else if (a == "--gain") params.season_gain = std::atof(v.c_str());
    else if (a == "--trend") params.trend_agreement = std::atof(v.c_str());
    else if (a == "--run") params.run_length = std::atoi(v.c_str());
    else if (a == "--run-rate") params.run_rate = std::atof(v.c_str());
    else if (a == "--run-margin") params.run_margin = std::atof(v.c_str());
    else if (a == "--run-share") params.run_max_share = std::atof(v.c_str());
    else return Usage();
  }
  if (nab.empty() || out.empty()) return Usage();
  fs::create_directories(out);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(nab) / "data" / subset)) {
    if (e.path().extension() == ".csv") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    std::ifstream in(f);
    std::string line;
    std::getline(in, line);  // header
    std::vector<std::string> stamps;
    std::vector<Point> points;
    while (std::getline(in, line)) {
      const size_t comma = line.find(',');
      int64_t t = 0;
      if (comma == std::string::npos || !ParseTime(line.substr(0, comma), &t)) continue;
      stamps.push_back(line.substr(0, comma));
      points.push_back(Point{vigil::Timestamp::FromSeconds(t), std::atof(line.c_str() + comma + 1)});
    }
    std::vector<int64_t> gaps;
    for (size_t i = 1; i < points.size(); ++i) {
      gaps.push_back(points[i].t.seconds() - points[i - 1].t.seconds());
    }
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2),
                     gaps.end());
    vigil::anomaly::TrainingOptions options;
    options.period_seconds = gaps.empty() ? 300 : std::max<int64_t>(1, gaps[gaps.size() / 2]);
    const auto start = std::chrono::steady_clock::now();
    auto bands = vigil::anomaly::CausalBands(points, options, k, retrain, params);
    const double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start).count();
    if (!bands.ok()) {
      std::cerr << f << ": " << bands.error().message << "\n";
      return 1;
    }
    std::ofstream o(fs::path(out) / f.filename());
    o << "timestamp,lower,upper\n";
    char buf[128];
    for (size_t i = 0; i < points.size(); ++i) {
      const auto& b = (*bands)[i];
      if (b) {
        std::snprintf(buf, sizeof buf, "%.17g,%.17g", b->lower, b->upper);
      } else {
        buf[0] = ',';
        buf[1] = 0;
      }
      o << stamps[i] << ',' << buf << '\n';
    }
    auto last = vigil::anomaly::Model::Train(
        points, options, vigil::Timestamp::FromSeconds(points.back().t.seconds() + 1), params);
    std::fprintf(stderr, "%-45s %6zu points, period %llds, %8.1f ms (%.1f us/point), final: %s%s\n",
                 f.filename().c_str(), points.size(),
                 static_cast<long long>(options.period_seconds), ms,
                 1000.0 * ms / static_cast<double>(std::max<size_t>(1, points.size())),
                 last.ok() ? std::string(SeasonalityName(last->summary().seasonality)).c_str() : "?",
                 last.ok() && last->summary().has_trend ? "+trend" : "");
  }
  return 0;
}
