// Decoding a 1000-datum PutMetricData (a 10,000-series namespace, 3 dimensions per datum, as the
// SDKs send it) in JSON, CBOR and Query; items/s are datums/s.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <random>

#include "protocol/writer.h"
#include "vigil/model/cloudwatch.h"
#include "vigil/protocol/protocol.h"

namespace vigil::protocol {
namespace {

namespace cw = model::cw;
constexpr int kDatums = 1000;

cw::PutMetricDataInput MakeInput() {
  std::mt19937_64 rng(42);
  cw::PutMetricDataInput in;
  in.namespace_ = "Bench/Service";
  in.metric_data.emplace();
  const char* names[] = {"CPUUtilization", "Latency", "RequestCount", "ErrorRate"};
  for (int i = 0; i < kDatums; ++i) {
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

std::string JsonBody(const cw::PutMetricDataInput& in) {
  // Re-serialise with the SDKs' ", " / ": " separators (boto3 and the aws cli send those).
  std::string compact;
  internal::WriteValue(*internal::MakeJsonWriter(compact), model::ShapeOf<cw::PutMetricDataInput>(),
                       &in);
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

std::string CborBody(const cw::PutMetricDataInput& in) {
  std::string out;
  internal::WriteValue(*internal::MakeCborWriter(out), model::ShapeOf<cw::PutMetricDataInput>(),
                       &in);
  return out;
}

std::string QueryBody(const cw::PutMetricDataInput& in) {
  std::string out = "Action=PutMetricData&Version=2010-08-01&Namespace=Bench%2FService";
  for (size_t i = 0; i < in.metric_data->size(); ++i) {
    const auto& d = (*in.metric_data)[i];
    std::string p = "&MetricData.member." + std::to_string(i + 1) + ".";
    out += p + "MetricName=" + d.metric_name;
    for (size_t k = 0; k < d.dimensions->size(); ++k) {
      std::string q = p + "Dimensions.member." + std::to_string(k + 1) + ".";
      out += q + "Name=" + (*d.dimensions)[k].name + q + "Value=" + (*d.dimensions)[k].value;
    }
    out += p + "Timestamp=" + FormatIso8601(*d.timestamp);
    std::string v;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", *d.value);
    out += p + "Value=" + buf + p + "Unit=Percent";
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == ':') out.replace(i, 1, "%3A");
  }
  return out;
}

HttpRequest Request(Protocol p, std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  if (p == Protocol::kJson10) {
    r.headers = {{"x-amz-target", "GraniteServiceVersion20100801.PutMetricData"},
                 {"content-type", "application/x-amz-json-1.0"}};
  } else if (p == Protocol::kRpcV2Cbor) {
    r.target = "/service/GraniteServiceVersion20100801/operation/PutMetricData";
    r.headers = {{"smithy-protocol", "rpc-v2-cbor"}, {"content-type", "application/cbor"}};
  } else {
    r.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  }
  r.body = std::move(body);
  return r;
}

const cw::PutMetricDataInput& Input() {
  static const cw::PutMetricDataInput in = MakeInput();
  return in;
}

// Parse + DecodeInput (+ constraint validation), as the front end runs them.
void Decode(benchmark::State& state, Protocol p, const std::string& body) {
  HttpRequest r = Request(p, body);
  for (auto _ : state) {
    auto call = Parse(r, kCloudWatchService);
    cw::PutMetricDataInput in;
    Status st = (*call)->DecodeInput(model::ShapeOf<cw::PutMetricDataInput>(), &in);
    if (!st.ok() || in.metric_data->size() != kDatums) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(in);
  }
  state.SetItemsProcessed(state.iterations() * kDatums);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
  state.counters["body_bytes"] = static_cast<double>(body.size());
}

void BM_DecodePutMetricDataJson(benchmark::State& s) {
  Decode(s, Protocol::kJson10, JsonBody(Input()));
}
void BM_DecodePutMetricDataCbor(benchmark::State& s) {
  Decode(s, Protocol::kRpcV2Cbor, CborBody(Input()));
}
void BM_DecodePutMetricDataQuery(benchmark::State& s) {
  Decode(s, Protocol::kQuery, QueryBody(Input()));
}

// nlohmann's SAX parser alone with a handler that does nothing: the ceiling for JSON decoding.
struct NullSax {
  using json = nlohmann::json;
  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const json::string_t&) { return true; }
  bool string(json::string_t&) { return true; }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) { return true; }
  bool key(json::string_t&) { return true; }
  bool end_object() { return true; }
  bool start_array(std::size_t) { return true; }
  bool end_array() { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }
};

void BM_NlohmannSaxOnlyJson(benchmark::State& state) {
  std::string body = JsonBody(Input());
  NullSax sax;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        nlohmann::json::sax_parse(body.data(), body.data() + body.size(), &sax));
  }
  state.SetItemsProcessed(state.iterations() * kDatums);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

void BM_EncodeGetMetricDataJson(benchmark::State& state) {
  cw::GetMetricDataOutput out;
  cw::MetricDataResult r;
  r.id = "q1";
  r.label = "Latency";
  r.status_code = "Complete";
  r.timestamps.emplace();
  r.values.emplace();
  for (int i = 0; i < 1440; ++i) {
    r.timestamps->push_back(Timestamp::FromSeconds(1795779420 - i * 60));
    r.values->push_back(i * 1.25);
  }
  out.metric_data_results = std::vector<cw::MetricDataResult>(10, r);
  for (auto _ : state) {
    HttpResponse resp = EncodeResult(Protocol::kJson10, kCloudWatchService, "GetMetricData",
                                     &model::ShapeOf<cw::GetMetricDataOutput>(), &out, "rid");
    benchmark::DoNotOptimize(resp);
  }
  state.SetItemsProcessed(state.iterations() * 14400);
}

BENCHMARK(BM_DecodePutMetricDataJson);
BENCHMARK(BM_DecodePutMetricDataCbor);
BENCHMARK(BM_DecodePutMetricDataQuery);
BENCHMARK(BM_NlohmannSaxOnlyJson);
BENCHMARK(BM_EncodeGetMetricDataJson);

}  // namespace
}  // namespace vigil::protocol

BENCHMARK_MAIN();
