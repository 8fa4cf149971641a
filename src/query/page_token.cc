#include "query/page_token.h"

#include <cstring>

#include "vigil/common/base64.h"

namespace vigil::query::internal {
namespace {

constexpr uint8_t kVersion = 2;  // 2: the series index, expressions
constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;
// Sealing starts from a different basis than fingerprints, so a token's check value is never a
// fingerprint of anything.
constexpr uint64_t kSealBasis = kFnvOffset ^ 0x76696769'6c2d7067ULL;  // "vigil-pg"
// version, query, flags, last, now, fingerprint, series, seal
constexpr size_t kTokenBytes = 1 + 4 + 1 + 8 + 8 + 8 + 4 + 8;
constexpr size_t kSealAt = kTokenBytes - 8;

class Fnv {
 public:
  explicit Fnv(uint64_t basis = kFnvOffset) : h_(basis) {}
  void Bytes(std::string_view s) {
    for (unsigned char c : s) h_ = (h_ ^ c) * kFnvPrime;
  }
  // Length-prefixed, so ("ab","c") and ("a","bc") differ.
  void Field(std::string_view s) {
    U64(s.size());
    Bytes(s);
  }
  void U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) Bytes(std::string_view(reinterpret_cast<const char*>(&v) + i, 1));
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_;
};

void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t GetU64(std::string_view in, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(in[at + i])} << (8 * i);
  return v;
}

uint64_t Seal(std::string_view body) {
  Fnv f(kSealBasis);
  f.Bytes(body);
  return f.value();
}

}  // namespace

uint64_t Fingerprint(const MetricDataRequest& r) {
  Fnv f;
  f.U64(static_cast<uint64_t>(r.start.millis));
  f.U64(static_cast<uint64_t>(r.end.millis));
  f.U64(static_cast<uint64_t>(r.order));
  f.U64(static_cast<uint64_t>(static_cast<int64_t>(r.timezone_offset_minutes)));
  f.U64(r.queries.size());
  for (const auto& q : r.queries) {
    f.Field(q.id);
    f.Field(q.expression ? *q.expression : std::string_view("\x01no-expression"));
    f.Field(q.series.account);
    f.Field(q.series.region);
    f.Field(q.series.namespace_);
    f.Field(q.series.metric_name);
    f.U64(q.series.dimensions.size());
    for (const auto& d : q.series.dimensions) {
      f.Field(d.name);
      f.Field(d.value);
    }
    f.U64(q.unit ? 0x100u + *q.unit : 0);
    f.Field(q.statistic.text());
    f.U64(static_cast<uint64_t>(q.period_seconds));
    f.Field(q.label ? *q.label : std::string_view("\x01no-label"));
    f.U64((q.return_data ? 1 : 0) | (q.forbidden ? 2 : 0));
  }
  return f.value();
}

std::string EncodePageToken(const PagePosition& p, uint64_t fingerprint) {
  std::string body;
  body.reserve(kTokenBytes);
  body.push_back(static_cast<char>(kVersion));
  for (int i = 0; i < 4; ++i) body.push_back(static_cast<char>(p.query >> (8 * i)));
  body.push_back(static_cast<char>(p.last ? 1 : 0));
  PutU64(body, static_cast<uint64_t>(p.last ? p.last->millis : 0));
  PutU64(body, static_cast<uint64_t>(p.first_call_now.millis));
  PutU64(body, fingerprint);
  for (int i = 0; i < 4; ++i) body.push_back(static_cast<char>(p.series >> (8 * i)));
  PutU64(body, Seal(body));
  return Base64Encode(body);
}

std::optional<PagePosition> DecodePageToken(std::string_view token, uint64_t fingerprint) {
  auto bytes = Base64Decode(token);
  if (!bytes || bytes->size() != kTokenBytes) return std::nullopt;
  std::string_view b = *bytes;
  if (static_cast<uint8_t>(b[0]) != kVersion) return std::nullopt;
  if (GetU64(b, kSealAt) != Seal(b.substr(0, kSealAt))) return std::nullopt;
  if (GetU64(b, kSealAt - 12) != fingerprint) return std::nullopt;
  PagePosition p;
  for (int i = 0; i < 4; ++i) p.query |= uint32_t{static_cast<uint8_t>(b[1 + i])} << (8 * i);
  uint8_t flags = static_cast<uint8_t>(b[5]);
  if (flags > 1) return std::nullopt;
  if (flags == 1) p.last = Timestamp{static_cast<int64_t>(GetU64(b, 6))};
  p.first_call_now = Timestamp{static_cast<int64_t>(GetU64(b, 14))};
  for (int i = 0; i < 4; ++i) {
    p.series |= uint32_t{static_cast<uint8_t>(b[kSealAt - 4 + i])} << (8 * i);
  }
  return p;
}

}  // namespace vigil::query::internal
