// The PutMetricData bodies the benchmarks decode: 1000 datums from a 10,000-series namespace,
// 3 dimensions each, in JSON (with the SDKs' ", " / ": " separators, as boto3 and the aws cli
// send it) and CBOR. The same input as codec_bench.cc, so the numbers compare.
#pragma once

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "protocol/writer.h"
#include "vigil/model/cloudwatch.h"
#include "vigil/protocol/protocol.h"

namespace vigil::bench {

namespace cw = model::cw;
inline constexpr int kBodyDatums = 1000;

inline cw::PutMetricDataInput MakePutInput() {
  std::mt19937_64 rng(42);
  cw::PutMetricDataInput in;
  in.namespace_ = "Bench/Service";
  in.metric_data.emplace();
  const char* names[] = {"CPUUtilization", "Latency", "RequestCount", "ErrorRate"};
  for (int i = 0; i < kBodyDatums; ++i) {
    int series = static_cast<int>(rng() % 10000);
    cw::MetricDatum d;
    d.metric_name = names[series % 4];
    d.dimensions = std::vector<cw::Dimension>{
        {"InstanceId", "i-0123456789ab" + std::to_string(series)},
        {"AutoScalingGroupName", "asg-" + std::to_string(series % 100)},
        {"AvailabilityZone", "us-east-1" + std::string(1, static_cast<char>('a' + series % 6))}};
    d.timestamp = Timestamp::FromSeconds(1795779420 + i % 60);
    d.value = static_cast<double>(rng() % 100000) / 100.0;
    d.unit = "Percent";
    in.metric_data->push_back(std::move(d));
  }
  return in;
}

inline std::string PutJsonBody(const cw::PutMetricDataInput& in) {
  std::string compact;
  protocol::internal::WriteValue(*protocol::internal::MakeJsonWriter(compact),
                                 model::ShapeOf<cw::PutMetricDataInput>(), &in);
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < compact.size(); ++i) {
    char c = compact[i];
    out += c;
    if (c == '"' && (i == 0 || compact[i - 1] != '\\')) in_string = !in_string;
    if (!in_string && (c == ',' || c == ':')) out += ' ';
  }
  return out;
}

inline std::string PutCborBody(const cw::PutMetricDataInput& in) {
  std::string out;
  protocol::internal::WriteValue(*protocol::internal::MakeCborWriter(out),
                                 model::ShapeOf<cw::PutMetricDataInput>(), &in);
  return out;
}

}  // namespace vigil::bench
