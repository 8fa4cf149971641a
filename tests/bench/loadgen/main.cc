// vigil_loadgen: real CloudWatch traffic against vigil (or moto) over keep-alive HTTP/1.1.
//
//   vigil_loadgen put   [options]   PutMetricData from a rotating set of pre-built bodies
//   vigil_loadgen fill  [options]   PutMetricData of distinct points (series x minutes), built as
//                                   they are sent: a dataset for queries and storage numbers
//   vigil_loadgen query [options]   GetMetricData / GetMetricStatistics, latency per call
//
// Every non-200 answer is an error and is reported. The last line printed is
// `RESULT {json}` for scripts (tests/bench/run.sh). See docs/performance.md.
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "loadgen/client.h"
#include "loadgen/workload.h"

namespace vigil::loadgen {
namespace {

constexpr const char* kUsage = R"(usage: vigil_loadgen put|fill|query [options]

common:
  --host H --port P          server (default 127.0.0.1:4590)
  --connections N            concurrent keep-alive connections (default 4; query: 1)
  --threads N                client threads (default 1)
  --namespace NS             (default Bench/Load)
  --series N                 series in the fleet (default 10000), 3 dimensions each
  --start EPOCH              minute 0 of every series (default: see each mode)
  --values float|int         random 2-decimal floats in [0,1000) or integers in [0,100)
put:
  --protocol json|cbor       wire protocol (default json), headers as boto3 sends them
  --gzip sdk|always|never    sdk: bodies >= 10240 bytes gzipped, as boto3 and the JS SDK do
  --datums N                 datums per request (default 1000)
  --bodies N                 pre-built bodies, sent in turn (default 64); start defaults to
                             now - enough minutes for bodies*datums/series, so all are recent
  --duration S | --requests N  (default 10 s)
  --warmup S                 not counted (default 0)
fill: like put, but every datum is a new point: --minutes M (default 1440) or --points N;
  series s gets minutes 0..M-1 from --start (default: now - M minutes); no gzip by default
query:
  --op auto|gmd|gms          GetMetricData, GetMetricStatistics, or GMD unless it is not 200
  --queries N                MetricStat queries per GetMetricData call (default 1)
  --range S --period P --stat STAT   (default 86400, 60, Average)
  --requests N               calls (default 100); --distinct N different request bodies (100)
)";

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr, "vigil_loadgen: %s\n%s", why.c_str(), kUsage);
  std::exit(2);
}

struct Args {
  std::string mode;
  Endpoint ep;
  Fleet fleet;
  PutOptions put;
  bool gzip_set = false;
  RunOptions run;
  int bodies = 64;
  int64_t minutes = 1440, points = 0;
  bool start_set = false, connections_set = false;
  std::string op = "auto";
  int queries = 1, distinct = 100;
  QueryOptions q;
  int64_t range = 86400;
};

Args Parse(int argc, char** argv) {
  if (argc < 2) Usage("no mode");
  Args a;
  a.mode = argv[1];
  if (a.mode != "put" && a.mode != "fill" && a.mode != "query") Usage("unknown mode " + a.mode);
  for (int i = 2; i < argc; ++i) {
    std::string f = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) Usage(f + " needs a value");
      return argv[++i];
    };
    auto num = [&]() { return std::stod(val()); };
    if (f == "--host")
      a.ep.host = val();
    else if (f == "--port")
      a.ep.port = static_cast<int>(num());
    else if (f == "--connections")
      a.run.connections = static_cast<int>(num()), a.connections_set = true;
    else if (f == "--threads")
      a.run.threads = static_cast<int>(num());
    else if (f == "--namespace")
      a.fleet.ns = val();
    else if (f == "--series")
      a.fleet.series = static_cast<int>(num());
    else if (f == "--start")
      a.fleet.start = static_cast<int64_t>(num()), a.start_set = true;
    else if (f == "--values") {
      std::string v = val();
      if (v != "float" && v != "int") Usage("--values float|int");
      a.fleet.values = v == "int" ? Values::kInt : Values::kFloat;
    } else if (f == "--protocol") {
      std::string v = val();
      if (v != "json" && v != "cbor") Usage("--protocol json|cbor");
      a.put.wire = v == "cbor" ? Wire::kCbor : Wire::kJson;
    } else if (f == "--gzip") {
      std::string v = val();
      a.gzip_set = true;
      if (v == "sdk")
        a.put.gzip = PutOptions::Gzip::kSdk;
      else if (v == "always")
        a.put.gzip = PutOptions::Gzip::kAlways;
      else if (v == "never")
        a.put.gzip = PutOptions::Gzip::kNever;
      else
        Usage("--gzip sdk|always|never");
    } else if (f == "--datums")
      a.put.datums = static_cast<int>(num());
    else if (f == "--bodies")
      a.bodies = static_cast<int>(num());
    else if (f == "--duration")
      a.run.duration_s = num();
    else if (f == "--requests")
      a.run.requests = static_cast<int64_t>(num());
    else if (f == "--warmup")
      a.run.warmup_s = num();
    else if (f == "--minutes")
      a.minutes = static_cast<int64_t>(num());
    else if (f == "--points")
      a.points = static_cast<int64_t>(num());
    else if (f == "--op")
      a.op = val();
    else if (f == "--queries")
      a.queries = static_cast<int>(num());
    else if (f == "--distinct")
      a.distinct = static_cast<int>(num());
    else if (f == "--range")
      a.range = static_cast<int64_t>(num());
    else if (f == "--period")
      a.q.period = static_cast<int>(num());
    else if (f == "--stat")
      a.q.stat = val();
    else if (f == "--help" || f == "-h")
      Usage("help");
    else
      Usage("unknown option " + f);
  }
  if (a.fleet.series <= 0 || a.put.datums <= 0 || a.bodies <= 0) Usage("counts must be > 0");
  a.run.endpoint = a.ep;
  return a;
}

int64_t NowMinute() { return static_cast<int64_t>(std::time(nullptr)) / 60 * 60; }

// CPU seconds this process used so far (user + system), to show the generator stays small.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void Report(const Args& a, const RunResult& r, const std::string& extra_json) {
  const double secs = r.seconds > 0 ? r.seconds : 1;
  const double cpu = CpuSeconds();
  std::fprintf(stderr,
               "%s: %lld requests in %.2f s, %lld ok, %lld errors; %.0f datums/s acknowledged, "
               "%.1f requests/s; latency p50 %.2f ms p99 %.2f ms max %.2f ms\n",
               a.mode.c_str(), static_cast<long long>(r.requests), r.seconds,
               static_cast<long long>(r.ok), static_cast<long long>(r.Errors()),
               static_cast<double>(r.datums_acked) / secs, static_cast<double>(r.requests) / secs,
               r.Percentile(50) / 1000, r.Percentile(99) / 1000, r.Percentile(100) / 1000);
  for (auto [status, n] : r.status_errors) {
    std::fprintf(stderr, "  HTTP %d: %lld answers\n", status, static_cast<long long>(n));
  }
  if (r.transport_errors) {
    std::fprintf(stderr, "  transport errors: %lld\n", static_cast<long long>(r.transport_errors));
  }
  if (!r.first_error.empty()) std::fprintf(stderr, "  first error: %s\n", r.first_error.c_str());
  std::printf(
      "RESULT {\"mode\": \"%s\", \"seconds\": %.3f, \"requests\": %lld, \"ok\": %lld, "
      "\"errors\": %lld, \"datums_acked\": %lld, \"datums_per_s\": %.1f, \"requests_per_s\": %.2f, "
      "\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, \"bytes_per_request\": %.0f, "
      "\"reconnects\": %lld, \"client_cpu_s\": %.2f%s}\n",
      a.mode.c_str(), r.seconds, static_cast<long long>(r.requests), static_cast<long long>(r.ok),
      static_cast<long long>(r.Errors()), static_cast<long long>(r.datums_acked),
      static_cast<double>(r.datums_acked) / secs, static_cast<double>(r.requests) / secs,
      r.Percentile(50) / 1000, r.Percentile(99) / 1000, r.Percentile(100) / 1000,
      r.requests ? static_cast<double>(r.bytes_sent) / static_cast<double>(r.requests) : 0.0,
      static_cast<long long>(r.reconnects), cpu, extra_json.c_str());
  std::fflush(stdout);
}

int RunPut(Args& a) {
  if (!a.start_set) {
    int64_t minutes =
        (static_cast<int64_t>(a.bodies) * a.put.datums + a.fleet.series - 1) / a.fleet.series;
    a.fleet.start = NowMinute() - minutes * 60;
  }
  if (a.run.duration_s <= 0 && a.run.requests <= 0) a.run.duration_s = 10;
  std::vector<std::shared_ptr<const Request>> bodies;
  size_t raw = 0;
  for (int b = 0; b < a.bodies; ++b) {
    bodies.push_back(std::make_shared<const Request>(
        BuildPut(a.ep, a.fleet, a.put, static_cast<int64_t>(b) * a.put.datums)));
    raw += bodies.back()->body_bytes;
  }
  std::fprintf(stderr, "put: %d bodies of %d datums, %s%s, %.0f bytes a body as sent\n", a.bodies,
               a.put.datums, a.put.wire == Wire::kCbor ? "cbor" : "json",
               bodies[0]->gzipped ? " gzip" : "", static_cast<double>(raw) / a.bodies);
  RunResult r =
      Run(a.run, [&](int64_t i) { return bodies[static_cast<size_t>(i) % bodies.size()]; });
  Report(a, r,
         std::string(", \"protocol\": \"") + (a.put.wire == Wire::kCbor ? "cbor" : "json") +
             "\", \"gzip\": " + (bodies[0]->gzipped ? "true" : "false"));
  return r.Errors() ? 1 : 0;
}

int RunFill(Args& a) {
  if (!a.gzip_set) a.put.gzip = PutOptions::Gzip::kNever;
  const int64_t total = a.points > 0 ? a.points : a.minutes * a.fleet.series;
  const int64_t minutes = (total + a.fleet.series - 1) / a.fleet.series;
  if (!a.start_set) a.fleet.start = NowMinute() - minutes * 60;
  const int64_t requests = (total + a.put.datums - 1) / a.put.datums;
  a.run.requests = requests;
  a.run.duration_s = 0;
  std::fprintf(stderr, "fill: %lld points (%d series x %lld minutes from %lld) in %lld requests\n",
               static_cast<long long>(total), a.fleet.series, static_cast<long long>(minutes),
               static_cast<long long>(a.fleet.start), static_cast<long long>(requests));
  RunResult r = Run(a.run, [&](int64_t i) -> std::shared_ptr<const Request> {
    PutOptions o = a.put;
    const int64_t first = i * a.put.datums;
    o.datums = static_cast<int>(std::min<int64_t>(a.put.datums, total - first));
    return std::make_shared<const Request>(BuildPut(a.ep, a.fleet, o, first));
  });
  Report(
      a, r,
      ", \"points\": " + std::to_string(total) + ", \"start\": " + std::to_string(a.fleet.start));
  return r.Errors() ? 1 : 0;
}

int RunQuery(Args& a) {
  if (!a.connections_set) a.run.connections = 1;
  if (a.run.requests <= 0 && a.run.duration_s <= 0) a.run.requests = 100;
  if (!a.start_set) a.fleet.start = NowMinute() - a.range;
  a.q.start = a.fleet.start;
  a.q.end = a.fleet.start + a.range;
  auto build = [&](const std::string& op, int k) {
    std::vector<int> series;
    for (int j = 0; j < a.queries; ++j) {
      series.push_back(
          static_cast<int>((static_cast<int64_t>(k) * 7919 + j * 104729) % a.fleet.series));
    }
    return std::make_shared<const Request>(
        op == "gmd" ? BuildGetMetricData(a.ep, a.fleet, a.q, series)
                    : BuildGetMetricStatistics(a.ep, a.fleet, a.q, series[0]));
  };
  std::string op = a.op;
  if (op == "auto") {
    RunOptions probe = a.run;
    probe.connections = 1;
    probe.requests = 1;
    probe.duration_s = 0;
    probe.warmup_s = 0;
    auto req = build("gmd", 0);
    RunResult r = Run(probe, [&](int64_t) { return req; });
    op = r.ok == 1 ? "gmd" : "gms";
    std::fprintf(stderr, "query: GetMetricData answered %s: using %s\n",
                 r.ok == 1 ? "200" : r.first_error.substr(0, 120).c_str(),
                 op == "gmd" ? "GetMetricData" : "GetMetricStatistics");
  }
  if (op != "gmd" && op != "gms") Usage("--op auto|gmd|gms");
  if (op == "gms" && a.queries != 1) {
    std::fprintf(stderr,
                 "query: GetMetricStatistics answers one series a call; --queries %d "
                 "needs GetMetricData\n",
                 a.queries);
    std::printf("RESULT {\"mode\": \"query\", \"op\": \"gms\", \"unsupported\": true}\n");
    return 3;
  }
  std::vector<std::shared_ptr<const Request>> reqs;
  for (int k = 0; k < a.distinct; ++k) reqs.push_back(build(op, k));
  a.run.keep_bodies = true;
  RunResult r = Run(a.run, [&](int64_t i) { return reqs[static_cast<size_t>(i) % reqs.size()]; });
  std::vector<int64_t> points;
  for (const auto& b : r.bodies) {
    points.push_back(op == "gmd" ? CountGetMetricDataPoints(b) : CountGetMetricStatisticsPoints(b));
  }
  std::sort(points.begin(), points.end());
  int64_t pmin = points.empty() ? 0 : points.front(), pmax = points.empty() ? 0 : points.back();
  int64_t pmed = points.empty() ? 0 : points[points.size() / 2];
  std::fprintf(stderr,
               "query: %s, %d queries a call, points per answer min %lld median %lld max %lld\n",
               op.c_str(), a.queries, static_cast<long long>(pmin), static_cast<long long>(pmed),
               static_cast<long long>(pmax));
  Report(a, r,
         ", \"op\": \"" + op + "\", \"queries\": " + std::to_string(a.queries) +
             ", \"points_min\": " + std::to_string(pmin) + ", \"points_median\": " +
             std::to_string(pmed) + ", \"points_max\": " + std::to_string(pmax));
  return r.Errors() ? 1 : 0;
}

}  // namespace
}  // namespace vigil::loadgen

int main(int argc, char** argv) {
  using namespace vigil::loadgen;
  Args a = Parse(argc, argv);
  if (a.mode == "put") return RunPut(a);
  if (a.mode == "fill") return RunFill(a);
  return RunQuery(a);
}
