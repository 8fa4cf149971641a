#include "loadgen/workload.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <ctime>
#include <map>
#include <random>
#include <stdexcept>
#include <string_view>

namespace vigil::loadgen {
namespace {

constexpr const char* kMetricNames[] = {"CPUUtilization", "Latency", "RequestCount", "ErrorRate"};
constexpr const char* kTarget = "GraniteServiceVersion20100801";
constexpr const char* kAccessKey = "AKIDEXAMPLE";
constexpr const char* kSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kRegion = "us-east-1";
// The User-Agent boto3 1.43 sends (wire captures); the server ignores it, the byte count matters.
constexpr const char* kUserAgent =
    "Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.7 "
    "md/pyimpl#CPython m/b,L,e,Z,E,N cfg/retry-mode#standard Botocore/1.43.11";
constexpr size_t kSdkMinCompressBytes = 10240;

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct SeriesId {
  std::string metric, instance, asg, az;
};

SeriesId Series(int s) {
  return {kMetricNames[s % 4], "i-0123456789ab" + std::to_string(s),
          "asg-" + std::to_string(s % 100),
          std::string("us-east-1") + static_cast<char>('a' + s % 6)};
}

double ValueOf(const Fleet& f, int64_t n) {
  uint64_t h = SplitMix(static_cast<uint64_t>(n));
  return f.values == Values::kInt ? static_cast<double>(h % 100)
                                  : static_cast<double>(h % 100000) / 100.0;
}

// Python's repr of a float, as json.dumps writes it: shortest round trip, ".0" when integral.
void AppendPyFloat(std::string& out, double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  out += s;
  if (s.find_first_of(".en") == std::string_view::npos) out += ".0";
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  out += s;  // the fleet's names need no escaping
  out += '"';
}

// ------------------------------------------------------------------------------------ CBOR

void CborHead(std::string& out, int major, uint64_t v) {
  const auto m = static_cast<char>(major << 5);
  if (v < 24) {
    out += static_cast<char>(m | static_cast<char>(v));
  } else if (v <= 0xff) {
    out += static_cast<char>(m | 24);
    out += static_cast<char>(v);
  } else if (v <= 0xffff) {
    out += static_cast<char>(m | 25);
    for (int i = 1; i >= 0; --i) out += static_cast<char>(v >> (8 * i));
  } else if (v <= 0xffffffffULL) {
    out += static_cast<char>(m | 26);
    for (int i = 3; i >= 0; --i) out += static_cast<char>(v >> (8 * i));
  } else {
    out += static_cast<char>(m | 27);
    for (int i = 7; i >= 0; --i) out += static_cast<char>(v >> (8 * i));
  }
}
void CborText(std::string& out, std::string_view s) {
  CborHead(out, 3, s.size());
  out += s;
}
void CborDouble(std::string& out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  out += static_cast<char>(0xfb);
  for (int i = 7; i >= 0; --i) out += static_cast<char>(bits >> (8 * i));
}

// -------------------------------------------------------------------------------- bodies

std::string PutJson(const Fleet& f, int64_t first, int count) {
  std::string out;
  out.reserve(static_cast<size_t>(count) * 280 + 64);
  out += "{\"Namespace\": ";
  AppendJsonString(out, f.ns);
  out += ", \"MetricData\": [";
  for (int64_t n = first; n < first + count; ++n) {
    const int s = static_cast<int>(n % f.series);
    const SeriesId id = Series(s);
    if (n != first) out += ", ";
    out += "{\"MetricName\": \"" + id.metric +
           "\", \"Dimensions\": [{\"Name\": \"InstanceId\", "
           "\"Value\": \"" +
           id.instance + "\"}, {\"Name\": \"AutoScalingGroupName\", \"Value\": \"" + id.asg +
           "\"}, {\"Name\": \"AvailabilityZone\", \"Value\": \"" + id.az + "\"}], \"Timestamp\": ";
    out += std::to_string(f.start + (n / f.series) * 60);
    out += ", \"Value\": ";
    AppendPyFloat(out, ValueOf(f, n));
    out += ", \"Unit\": \"";
    out += s % 4 == 0 ? "Percent" : s % 4 == 1 ? "Milliseconds" : "Count";
    out += "\"}";
  }
  out += "]}";
  return out;
}

std::string PutCbor(const Fleet& f, int64_t first, int count) {
  std::string out;
  out.reserve(static_cast<size_t>(count) * 210 + 64);
  CborHead(out, 5, 2);
  CborText(out, "Namespace");
  CborText(out, f.ns);
  CborText(out, "MetricData");
  CborHead(out, 4, static_cast<uint64_t>(count));
  for (int64_t n = first; n < first + count; ++n) {
    const int s = static_cast<int>(n % f.series);
    const SeriesId id = Series(s);
    CborHead(out, 5, 5);
    CborText(out, "MetricName");
    CborText(out, id.metric);
    CborText(out, "Dimensions");
    CborHead(out, 4, 3);
    const std::pair<const char*, const std::string*> dims[] = {{"InstanceId", &id.instance},
                                                               {"AutoScalingGroupName", &id.asg},
                                                               {"AvailabilityZone", &id.az}};
    for (const auto& [name, value] : dims) {
      CborHead(out, 5, 2);
      CborText(out, "Name");
      CborText(out, name);
      CborText(out, "Value");
      CborText(out, *value);
    }
    CborText(out, "Timestamp");
    CborHead(out, 6, 1);  // tag 1, epoch seconds; botocore writes integral ones as integers
    CborHead(out, 0, static_cast<uint64_t>(f.start + (n / f.series) * 60));
    CborText(out, "Value");
    CborDouble(out, ValueOf(f, n));
    CborText(out, "Unit");
    CborText(out, s % 4 == 0 ? "Percent" : s % 4 == 1 ? "Milliseconds" : "Count");
  }
  return out;
}

std::string JsonMetric(const Fleet& f, int s) {
  const SeriesId id = Series(s);
  return "{\"Namespace\": \"" + f.ns + "\", \"MetricName\": \"" + id.metric +
         "\", \"Dimensions\": [{\"Name\": \"InstanceId\", \"Value\": \"" + id.instance +
         "\"}, {\"Name\": \"AutoScalingGroupName\", \"Value\": \"" + id.asg +
         "\"}, {\"Name\": \"AvailabilityZone\", \"Value\": \"" + id.az + "\"}]}";
}

// ---------------------------------------------------------------------------------- SigV4

std::string Hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}
std::string Sha256Hex(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return Hex(md, sizeof md);
}
std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string Uuid4(std::mt19937_64& rng) {
  unsigned char b[16];
  for (int i = 0; i < 16; i += 8) {
    uint64_t r = rng();
    std::memcpy(b + i, &r, 8);
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string h = Hex(b, 16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

// Headers in the order boto3 sends them; `signed_names` are signed with SigV4 as botocore does.
Request Assemble(const Endpoint& ep, Wire wire, const std::string& operation, std::string body,
                 bool gzip, int64_t datums) {
  static std::mt19937_64 rng(7);
  Request r;
  r.datums = datums;
  r.gzipped = gzip;
  if (gzip) body = Gzip(body);
  r.body_bytes = body.size();

  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char amz_date[32], date[16];
  std::strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  const std::string host = ep.host + ":" + std::to_string(ep.port);
  const std::string path = wire == Wire::kCbor
                               ? std::string("/service/") + kTarget + "/operation/" + operation
                               : std::string("/");

  std::vector<std::pair<std::string, std::string>> headers = {{"Host", host},
                                                              {"Accept-Encoding", "identity"}};
  if (wire == Wire::kCbor) {
    headers.insert(headers.end(), {{"smithy-protocol", "rpc-v2-cbor"},
                                   {"x-amzn-query-mode", "true"},
                                   {"Accept", "application/cbor"},
                                   {"Content-Type", "application/cbor"}});
  } else {
    headers.insert(headers.end(), {{"X-Amz-Target", std::string(kTarget) + "." + operation},
                                   {"Content-Type", "application/x-amz-json-1.0"},
                                   {"x-amzn-query-mode", "true"}});
  }
  headers.emplace_back("User-Agent", kUserAgent);
  if (gzip) headers.emplace_back("Content-Encoding", "gzip");
  headers.emplace_back("X-Amz-Date", amz_date);

  // Signed: every header above except Accept-Encoding and User-Agent (botocore's rule).
  std::map<std::string, std::string> canonical;
  for (const auto& [name, value] : headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == "accept-encoding" || lower == "user-agent") continue;
    canonical[lower] = value;
  }
  std::string canonical_headers, signed_names;
  for (const auto& [name, value] : canonical) {
    canonical_headers += name + ":" + value + "\n";
    signed_names += (signed_names.empty() ? "" : ";") + name;
  }
  const std::string scope = std::string(date) + "/" + kRegion + "/monitoring/aws4_request";
  const std::string canonical_request =
      "POST\n" + path + "\n\n" + canonical_headers + "\n" + signed_names + "\n" + Sha256Hex(body);
  const std::string to_sign = std::string("AWS4-HMAC-SHA256\n") + amz_date + "\n" + scope + "\n" +
                              Sha256Hex(canonical_request);
  std::string key = Hmac(std::string("AWS4") + kSecretKey, date);
  key = Hmac(key, kRegion);
  key = Hmac(key, "monitoring");
  key = Hmac(key, "aws4_request");
  const std::string signature = Hmac(key, to_sign);
  headers.emplace_back(
      "Authorization",
      std::string("AWS4-HMAC-SHA256 Credential=") + kAccessKey + "/" + scope +
          ", SignedHeaders=" + signed_names + ", Signature=" +
          Hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size()));
  headers.emplace_back("amz-sdk-invocation-id", Uuid4(rng));
  headers.emplace_back("amz-sdk-request", "attempt=1");
  headers.emplace_back("Content-Length", std::to_string(body.size()));

  r.bytes = "POST " + path + " HTTP/1.1\r\n";
  for (const auto& [name, value] : headers) r.bytes += name + ": " + value + "\r\n";
  r.bytes += "\r\n";
  r.bytes += body;
  return r;
}

int64_t CountAfter(const std::string& body, std::string_view key) {
  // Elements of every `"key": [ ... ]` array of numbers.
  int64_t n = 0;
  for (size_t p = body.find(key); p != std::string::npos; p = body.find(key, p + 1)) {
    size_t open = body.find('[', p);
    size_t close = body.find(']', open);
    if (open == std::string::npos || close == std::string::npos) break;
    std::string_view inner(body.data() + open + 1, close - open - 1);
    if (inner.find_first_not_of(" \t\r\n") == std::string_view::npos) continue;
    n += 1 + std::count(inner.begin(), inner.end(), ',');
  }
  return n;
}

}  // namespace

std::string Gzip(const std::string& data) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  out.resize(zs.total_out);
  return out;
}

Request BuildPut(const Endpoint& ep, const Fleet& fleet, const PutOptions& opt, int64_t first) {
  std::string body = opt.wire == Wire::kCbor ? PutCbor(fleet, first, opt.datums)
                                             : PutJson(fleet, first, opt.datums);
  bool gzip = opt.gzip == PutOptions::Gzip::kAlways ||
              (opt.gzip == PutOptions::Gzip::kSdk && body.size() >= kSdkMinCompressBytes);
  return Assemble(ep, opt.wire, "PutMetricData", std::move(body), gzip, opt.datums);
}

Request BuildGetMetricData(const Endpoint& ep, const Fleet& fleet, const QueryOptions& q,
                           const std::vector<int>& series) {
  std::string body = "{\"MetricDataQueries\": [";
  for (size_t i = 0; i < series.size(); ++i) {
    if (i) body += ", ";
    body += "{\"Id\": \"q" + std::to_string(i) +
            "\", \"MetricStat\": {\"Metric\": " + JsonMetric(fleet, series[i]) +
            ", \"Period\": " + std::to_string(q.period) + ", \"Stat\": \"" + q.stat + "\"}}";
  }
  body += "], \"StartTime\": " + std::to_string(q.start) +
          ", \"EndTime\": " + std::to_string(q.end) + "}";
  return Assemble(ep, Wire::kJson, "GetMetricData", std::move(body), false, 0);
}

Request BuildGetMetricStatistics(const Endpoint& ep, const Fleet& fleet, const QueryOptions& q,
                                 int series) {
  std::string m = JsonMetric(fleet, series);
  // {"Namespace": ..., "MetricName": ..., "Dimensions": [...], <the rest>}
  m.pop_back();
  m += ", \"StartTime\": " + std::to_string(q.start) + ", \"EndTime\": " + std::to_string(q.end) +
       ", \"Period\": " + std::to_string(q.period) + ", \"Statistics\": [\"" + q.stat + "\"]}";
  return Assemble(ep, Wire::kJson, "GetMetricStatistics", std::move(m), false, 0);
}

int64_t CountGetMetricDataPoints(const std::string& body) { return CountAfter(body, "\"Values\""); }

int64_t CountGetMetricStatisticsPoints(const std::string& body) {
  int64_t n = 0;
  for (size_t p = body.find("\"Timestamp\""); p != std::string::npos;
       p = body.find("\"Timestamp\"", p + 1)) {
    ++n;
  }
  return n;
}

}  // namespace vigil::loadgen
