// Model::Serialize / Model::Deserialize (model.h): the persisted form of a trained model.
//
// Layout, all little-endian, fixed width:
//   u8 version (2) | u8 trained | u8 clamp | u8 seasonality | u8 has_trend |
//   i64 period | i64 cycle | i64 level_time | f64 base | f64 slope_per_day | f64 level |
//   f64 scale | f64 scale_upper | f64 scale_lower (version 2 only) | u64 points | u32 timezone length | timezone bytes | u32 profile size |
//   profile f64s
// Version 1 records (before the two-sided scale) read with scale_upper = scale_lower = scale.
// Doubles are copied bit for bit, so a deserialised model draws exactly the bands of the original.
#include <bit>
#include <cstring>

#include "anomaly/trainer.h"
#include "vigil/anomaly/model.h"

namespace vigil::anomaly {
namespace {

constexpr uint8_t kVersion = 2;
constexpr size_t kMaxProfile = 7 * 86400;  // weekly at 1 s: more is a corrupt record

static_assert(std::endian::native == std::endian::little,
              "the model format is little-endian; add byte swapping for this target");

class Writer {
 public:
  template <typename T>
  void Put(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out_.append(b, sizeof(T));
  }
  void Bytes(std::string_view s) { out_.append(s); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  bool Get(T& v) {
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(&v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool Bytes(size_t n, std::string& s) {
    if (in_.size() < n) return false;
    s.assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

ApiError Corrupt() {
  return MakeError(ErrorCode::kInternalFailure, "Corrupt or unknown anomaly model record.");
}

}  // namespace

std::string Model::Serialize() const {
  Writer w;
  w.Put<uint8_t>(kVersion);
  w.Put<uint8_t>(trained_ ? 1 : 0);
  w.Put<uint8_t>(static_cast<uint8_t>(clamp_));
  w.Put<uint8_t>(static_cast<uint8_t>(summary_.seasonality));
  w.Put<uint8_t>(summary_.has_trend ? 1 : 0);
  w.Put<int64_t>(period_);
  w.Put<int64_t>(cycle_);
  w.Put<int64_t>(level_time_);
  w.Put<double>(base_);
  w.Put<double>(summary_.slope_per_day);
  w.Put<double>(summary_.level);
  w.Put<double>(summary_.scale);
  w.Put<double>(summary_.scale_upper);
  w.Put<double>(summary_.scale_lower);
  w.Put<uint64_t>(summary_.points);
  w.Put<uint32_t>(static_cast<uint32_t>(timezone_.size()));
  w.Bytes(timezone_);
  w.Put<uint32_t>(static_cast<uint32_t>(profile_.size()));
  for (double v : profile_) w.Put<double>(v);
  return w.Take();
}

Result<Model> Model::Deserialize(std::string_view bytes) {
  Reader r(bytes);
  Model m;
  uint8_t version = 0, trained = 0, clamp = 0, seasonality = 0, trend = 0;
  uint64_t points = 0;
  uint32_t tz_size = 0, profile_size = 0;
  if (!r.Get(version) || (version != 1 && version != kVersion) || !r.Get(trained) ||
      !r.Get(clamp) || !r.Get(seasonality) || !r.Get(trend) || !r.Get(m.period_) ||
      !r.Get(m.cycle_) || !r.Get(m.level_time_) || !r.Get(m.base_) ||
      !r.Get(m.summary_.slope_per_day) || !r.Get(m.summary_.level) || !r.Get(m.summary_.scale)) {
    return Corrupt();
  }
  m.summary_.scale_upper = m.summary_.scale_lower = m.summary_.scale;
  if (version == kVersion && (!r.Get(m.summary_.scale_upper) || !r.Get(m.summary_.scale_lower))) {
    return Corrupt();
  }
  if (!r.Get(points) || !r.Get(tz_size) || !r.Bytes(tz_size, m.timezone_) ||
      !r.Get(profile_size)) {
    return Corrupt();
  }
  if (trained > 1 || clamp > static_cast<uint8_t>(UnitClamp::kPercent) ||
      seasonality > static_cast<uint8_t>(Seasonality::kWeekly) || trend > 1 ||
      m.period_ <= 0 || m.period_ > 86400 || m.cycle_ < 0 || profile_size > kMaxProfile ||
      (profile_size > 0 && m.cycle_ == 0)) {
    return Corrupt();
  }
  m.profile_.resize(profile_size);
  for (double& v : m.profile_) {
    if (!r.Get(v)) return Corrupt();
  }
  if (!r.done()) return Corrupt();
  m.trained_ = trained == 1;
  m.clamp_ = static_cast<UnitClamp>(clamp);
  m.summary_.seasonality = static_cast<Seasonality>(seasonality);
  m.summary_.has_trend = trend == 1;
  m.summary_.points = static_cast<size_t>(points);
  ASSIGN_OR_RETURN(m.zone_, FindZone(m.timezone_));
  return m;
}

}  // namespace vigil::anomaly
