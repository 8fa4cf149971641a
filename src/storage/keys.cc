#include "storage/keys.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace vigil::storage {
namespace {

constexpr std::array<std::string_view, 27> kUnits = {
    "Seconds",          "Microseconds",     "Milliseconds",     "Bytes",
    "Kilobytes",        "Megabytes",        "Gigabytes",        "Terabytes",
    "Bits",             "Kilobits",         "Megabits",         "Gigabits",
    "Terabits",         "Percent",          "Count",            "Bytes/Second",
    "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
    "Bits/Second",      "Kilobits/Second",  "Megabits/Second",  "Gigabits/Second",
    "Terabits/Second",  "Count/Second",     "None"};
static_assert(kUnits[kUnitNone] == "None");

}  // namespace

std::optional<uint8_t> UnitCode(std::string_view unit) {
  for (size_t i = 0; i < kUnits.size(); ++i) {
    if (kUnits[i] == unit) return static_cast<uint8_t>(i);
  }
  return std::nullopt;
}

std::string_view UnitName(uint8_t code) {
  return code < kUnits.size() ? kUnits[code] : std::string_view("None");
}

void SeriesKey::Canonicalize() { std::sort(dimensions.begin(), dimensions.end()); }

void AppendComponent(std::string& out, std::string_view s) {
  for (char c : s) {
    out.push_back(c);
    if (c == '\0') out.push_back('\xff');
  }
  out.push_back('\0');
  out.push_back('\x01');
}

std::optional<std::string> ReadComponent(std::string_view& in) {
  std::string out;
  size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (c != '\0') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= in.size()) return std::nullopt;
    if (in[i + 1] == '\xff') {
      out.push_back('\0');
      i += 2;
    } else if (in[i + 1] == '\x01') {
      in.remove_prefix(i + 2);
      return out;
    } else {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string EncodeSeriesKey(const SeriesKey& key) {
  std::string out;
  out.reserve(64);
  AppendComponent(out, key.account);
  AppendComponent(out, key.region);
  AppendComponent(out, key.namespace_);
  AppendComponent(out, key.metric_name);
  for (const auto& d : key.dimensions) {
    AppendComponent(out, d.name);
    AppendComponent(out, d.value);
  }
  return out;
}

std::optional<SeriesKey> DecodeSeriesKey(std::string_view bytes) {
  SeriesKey key;
  auto a = ReadComponent(bytes);
  auto r = a ? ReadComponent(bytes) : std::nullopt;
  auto n = r ? ReadComponent(bytes) : std::nullopt;
  auto m = n ? ReadComponent(bytes) : std::nullopt;
  if (!m) return std::nullopt;
  key.account = std::move(*a);
  key.region = std::move(*r);
  key.namespace_ = std::move(*n);
  key.metric_name = std::move(*m);
  while (!bytes.empty()) {
    auto dn = ReadComponent(bytes);
    if (!dn) return std::nullopt;
    auto dv = ReadComponent(bytes);
    if (!dv) return std::nullopt;
    key.dimensions.push_back({std::move(*dn), std::move(*dv)});
  }
  return key;
}

std::string EncodeSeriesPrefix(const ListFilter& filter) {
  std::string out;
  AppendComponent(out, filter.account);
  AppendComponent(out, filter.region);
  if (filter.namespace_) {
    AppendComponent(out, *filter.namespace_);
    if (filter.metric_name) AppendComponent(out, *filter.metric_name);
  }
  return out;
}

void AppendBigEndian64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

uint64_t ReadBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string EncodePointKey(uint64_t series_id, uint8_t unit, int64_t bucket_seconds) {
  std::string out;
  out.reserve(17);
  AppendBigEndian64(out, series_id);
  out.push_back(static_cast<char>(unit));
  AppendBigEndian64(out, OrderedSeconds(bucket_seconds));
  return out;
}

std::string EncodePointPrefix(uint64_t series_id) {
  std::string out;
  AppendBigEndian64(out, series_id);
  return out;
}

std::string EncodeAggregate(const Aggregate& a) {
  std::string out(32, '\0');
  std::memcpy(out.data(), &a.sample_count, 8);
  std::memcpy(out.data() + 8, &a.sum, 8);
  std::memcpy(out.data() + 16, &a.minimum, 8);
  std::memcpy(out.data() + 24, &a.maximum, 8);
  return out;
}

bool DecodeAggregate(std::string_view bytes, Aggregate& out) {
  if (bytes.size() != 32) return false;
  std::memcpy(&out.sample_count, bytes.data(), 8);
  std::memcpy(&out.sum, bytes.data() + 8, 8);
  std::memcpy(&out.minimum, bytes.data() + 16, 8);
  std::memcpy(&out.maximum, bytes.data() + 24, 8);
  return true;
}

bool MatchesFilter(const SeriesKey& key, const ListFilter& filter) {
  if (filter.namespace_ && key.namespace_ != *filter.namespace_) return false;
  if (filter.metric_name && key.metric_name != *filter.metric_name) return false;
  for (const auto& f : filter.dimensions) {
    bool found = false;
    for (const auto& d : key.dimensions) {
      if (d.name == f.name && (!f.value || d.value == *f.value)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace vigil::storage
