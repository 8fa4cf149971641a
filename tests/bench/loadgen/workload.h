// What vigil_loadgen sends: PutMetricData, GetMetricData and GetMetricStatistics requests built
// byte for byte the way boto3 builds them (headers as in /work/shared/wire/boto3-*.http, SigV4
// signed, bodies of 10 KiB and more gzipped as the SDKs do), for a synthetic fleet of series.
//
// Series s (0 <= s < series) is metric kMetricNames[s % 4] with three dimensions:
// InstanceId=i-0123456789ab<s>, AutoScalingGroupName=asg-<s % 100>,
// AvailabilityZone=us-east-1<a + s % 6>; all in one namespace. Datum number n of a workload is
// series n % series at minute n / series (a regular 60-second series, one sample a minute).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigil::loadgen {

enum class Wire { kJson, kCbor };
enum class Values { kFloat, kInt };  // random 2-decimal floats in [0, 1000) / integers in [0, 100)

struct Fleet {
  std::string ns = "Bench/Load";
  int series = 10000;
  int64_t start = 0;  // epoch seconds, a minute boundary: minute 0 of every series
  Values values = Values::kFloat;
};

struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 4590;
};

// One HTTP request ready to write, and what it carries.
struct Request {
  std::string bytes;   // request line, headers and body
  int64_t datums = 0;  // PutMetricData datums in it (0 for queries)
  size_t body_bytes = 0;
  bool gzipped = false;
};

struct PutOptions {
  Wire wire = Wire::kJson;
  int datums = 1000;
  // gzip bodies >= 10240 bytes (botocore's and the JS SDK's default); always; never.
  enum class Gzip { kSdk, kAlways, kNever } gzip = Gzip::kSdk;
};

// PutMetricData with datums [first, first + count) of the fleet.
Request BuildPut(const Endpoint& ep, const Fleet& fleet, const PutOptions& opt, int64_t first);

struct QueryOptions {
  int64_t start = 0, end = 0;  // [start, end)
  int period = 60;
  std::string stat = "Average";
};

// GetMetricData with one MetricStat query per series in `series` (ids q0, q1, ...).
Request BuildGetMetricData(const Endpoint& ep, const Fleet& fleet, const QueryOptions& q,
                           const std::vector<int>& series);
// GetMetricStatistics for one series.
Request BuildGetMetricStatistics(const Endpoint& ep, const Fleet& fleet, const QueryOptions& q,
                                 int series);

// Datapoints in a JSON GetMetricData / GetMetricStatistics answer (counted, not parsed).
int64_t CountGetMetricDataPoints(const std::string& body);
int64_t CountGetMetricStatisticsPoints(const std::string& body);

// zlib gzip (level 9, as Python's gzip.compress that botocore uses).
std::string Gzip(const std::string& data);

}  // namespace vigil::loadgen
