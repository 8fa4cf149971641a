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
  // Runs without NUL bytes (almost always the whole component) are appended at once.
  while (!s.empty()) {
    size_t nul = s.find('\0');
    if (nul == std::string_view::npos) {
      out.append(s);
      break;
    }
    out.append(s.data(), nul);
    out.append("\0\xff", 2);
    s.remove_prefix(nul + 1);
  }
  out.append("\0\x01", 2);
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

namespace {

// True when s holds a NUL byte: eight bytes at a time ("has zero byte" bit trick).
bool HasNul(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size(), i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) != 0) return true;
  }
  for (; i < n; ++i) {
    if (p[i] == '\0') return true;
  }
  return false;
}

}  // namespace

void EncodeSeriesKeyInto(const SeriesKey& key, std::string& out) {
  // Fast path (ingest calls this per datum): no component holds a NUL byte (real keys never do),
  // so each component is one copy into a buffer sized once.
  size_t size = key.account.size() + key.region.size() + key.namespace_.size() +
                key.metric_name.size() + 8;
  bool plain = !HasNul(key.account) && !HasNul(key.region) && !HasNul(key.namespace_) &&
               !HasNul(key.metric_name);
  for (const auto& d : key.dimensions) {
    size += d.name.size() + d.value.size() + 4;
    plain = plain && !HasNul(d.name) && !HasNul(d.value);
  }
  out.clear();
  if (plain) {
    out.resize(size);
    char* p = out.data();
    auto put = [&p](const std::string& c) {
      std::memcpy(p, c.data(), c.size());
      p += c.size();
      p[0] = '\0';
      p[1] = '\x01';
      p += 2;
    };
    put(key.account);
    put(key.region);
    put(key.namespace_);
    put(key.metric_name);
    for (const auto& d : key.dimensions) {
      put(d.name);
      put(d.value);
    }
    return;
  }
  AppendComponent(out, key.account);
  AppendComponent(out, key.region);
  AppendComponent(out, key.namespace_);
  AppendComponent(out, key.metric_name);
  for (const auto& d : key.dimensions) {
    AppendComponent(out, d.name);
    AppendComponent(out, d.value);
  }
}

std::string EncodeSeriesKey(const SeriesKey& key) {
  std::string out;
  EncodeSeriesKeyInto(key, out);
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

void AppendBigEndian32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

uint32_t ReadBigEndian32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string EncodeBlockKey(const BlockKey& key) {
  std::string out;
  out.reserve(kBlockKeySize);
  out.push_back(static_cast<char>(key.tier));
  AppendBigEndian64(out, OrderedSeconds(key.block_start));
  AppendBigEndian64(out, key.series);
  out.push_back(static_cast<char>(key.unit));
  return out;
}

std::string EncodeBlockPrefix(uint8_t tier, int64_t block_start) {
  std::string out;
  out.reserve(kBlockPrefixSize);
  out.push_back(static_cast<char>(tier));
  AppendBigEndian64(out, OrderedSeconds(block_start));
  return out;
}

bool DecodeBlockKey(std::string_view bytes, BlockKey& out) {
  if (bytes.size() != kBlockKeySize) return false;
  out.tier = static_cast<uint8_t>(bytes[0]);
  out.block_start = FromOrderedSeconds(ReadBigEndian64(bytes.data() + 1));
  out.series = ReadBigEndian64(bytes.data() + 9);
  out.unit = static_cast<uint8_t>(bytes[17]);
  return true;
}

std::string EncodeSeriesRecord(const SeriesRecord& r) {
  std::string out;
  out.reserve(kSeriesValueSize);
  AppendBigEndian64(out, r.id);
  AppendBigEndian64(out, OrderedSeconds(r.last_seconds));
  AppendBigEndian64(out, OrderedSeconds(r.first_seconds));
  AppendBigEndian32(out, r.units);
  return out;
}

bool DecodeSeriesRecord(std::string_view bytes, SeriesRecord& out) {
  if (bytes.size() != kSeriesValueSize) return false;
  out.id = ReadBigEndian64(bytes.data());
  out.last_seconds = FromOrderedSeconds(ReadBigEndian64(bytes.data() + 8));
  out.first_seconds = FromOrderedSeconds(ReadBigEndian64(bytes.data() + 16));
  out.units = ReadBigEndian32(bytes.data() + 24);
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
