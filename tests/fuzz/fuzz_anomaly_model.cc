// Fuzzes the anomaly model (target fuzz_anomaly_model), two ways on every input:
//
// 1. The bytes as a persisted model record: Model::Deserialize must either fail or give a model
//    that serialises to a record which deserialises to the same bytes again (version 1 records
//    come back as version 2) and draws the same band; BandAt must not crash on any model.
// 2. The bytes as training data (8-byte little-endian doubles, one per 5-minute period, a
//    non-finite value skipped): Train must succeed, its band must be ordered (lower <= upper,
//    both finite) with the calibrated sides never wider than the symmetric scale, and the
//    serialised model must draw bit-identical bands.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "vigil/anomaly/model.h"

namespace vigil::anomaly {
namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

bool SameBand(const std::optional<Band>& a, const std::optional<Band>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return std::memcmp(&*a, &*b, sizeof(Band)) == 0;
}

constexpr int64_t kStart = 1769990400;  // 2026-02-02 00:00 UTC

void AsRecord(std::string_view bytes) {
  auto m = Model::Deserialize(bytes);
  if (!m.ok()) return;
  const std::string again = m->Serialize();
  auto back = Model::Deserialize(again);
  Check(back.ok());
  Check(back->Serialize() == again);
  for (int64_t t : {kStart, kStart + 3601, kStart + 86400 * 9 + 17}) {
    const auto a = m->BandAt(Timestamp::FromSeconds(t), 2);
    Check(SameBand(a, back->BandAt(Timestamp::FromSeconds(t), 2)));
  }
}

void AsSeries(std::string_view bytes) {
  std::vector<Point> pts;
  int64_t t = kStart;
  for (size_t i = 0; i + 8 <= bytes.size(); i += 8, t += 300) {
    double v;
    std::memcpy(&v, bytes.data() + i, 8);
    if (!std::isfinite(v) || std::fabs(v) > 1e12) continue;  // PutMetricData's range
    pts.push_back(Point{Timestamp::FromSeconds(t), v});
  }
  TrainingOptions o;
  o.clamp = bytes.size() % 3 == 0 ? UnitClamp::kNonNegative : UnitClamp::kNone;
  auto m = Model::Train(pts, o, Timestamp::FromSeconds(t));
  Check(m.ok());
  if (!m->trained()) return;
  const ModelSummary& s = m->summary();
  Check(s.scale > 0 && s.scale_upper > 0 && s.scale_lower > 0);
  Check(s.scale_upper <= s.scale && s.scale_lower <= s.scale);
  auto back = Model::Deserialize(m->Serialize());
  Check(back.ok());
  for (int64_t at : {t, t + 300, t + 7 * 3600}) {
    const auto b = m->BandAt(Timestamp::FromSeconds(at), 2);
    Check(b.has_value());
    Check(std::isfinite(b->lower) && std::isfinite(b->upper) && b->lower <= b->upper);
    Check(SameBand(b, back->BandAt(Timestamp::FromSeconds(at), 2)));
  }
}

}  // namespace
}  // namespace vigil::anomaly

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  vigil::anomaly::AsRecord(bytes);
  vigil::anomaly::AsSeries(bytes);
  return 0;
}
