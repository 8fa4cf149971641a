// MetricStore::ScanSeries's default implementation and DecodeSeriesKeyInto (metric_store.h).
#include <cstring>

#include "storage/keys.h"
#include "vigil/storage/metric_store.h"

namespace vigil::storage {
namespace {

// One component (keys.h AppendComponent) into `out`, reusing its storage.
bool ReadComponentInto(std::string_view& in, std::string& out) {
  out.clear();
  while (true) {
    const void* z = std::memchr(in.data(), '\0', in.size());
    if (z == nullptr) return false;
    size_t i = static_cast<const char*>(z) - in.data();
    out.append(in.data(), i);
    if (i + 1 >= in.size()) return false;
    char tag = in[i + 1];
    in.remove_prefix(i + 2);
    if (tag == '\x01') return true;
    if (tag != '\xff') return false;
    out.push_back('\0');
  }
}

}  // namespace

bool DecodeSeriesKeyInto(std::string_view bytes, SeriesKey& out) {
  if (!ReadComponentInto(bytes, out.account) || !ReadComponentInto(bytes, out.region) ||
      !ReadComponentInto(bytes, out.namespace_) || !ReadComponentInto(bytes, out.metric_name)) {
    return false;
  }
  size_t n = 0;
  while (!bytes.empty()) {
    if (n == out.dimensions.size()) out.dimensions.emplace_back();
    Dimension& d = out.dimensions[n++];
    if (!ReadComponentInto(bytes, d.name) || !ReadComponentInto(bytes, d.value)) return false;
  }
  out.dimensions.resize(n);
  return true;
}

Status MetricStore::ScanSeries(
    const ListFilter& filter,
    const std::function<bool(std::string_view key, Timestamp last)>& visit) {
  ListFilter f = filter;
  f.dimensions.clear();
  std::optional<SeriesKey> after;
  constexpr size_t kBatch = 4096;
  std::string bytes;
  while (true) {
    ASSIGN_OR_RETURN(auto batch, List(f, after, kBatch));
    for (const auto& info : batch) {
      EncodeSeriesKeyInto(info.key, bytes);
      if (!visit(bytes, info.last_timestamp)) return OkStatus();
    }
    if (batch.size() < kBatch) return OkStatus();
    after = std::move(batch.back().key);
  }
}

}  // namespace vigil::storage
