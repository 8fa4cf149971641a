// WAL records: one per Write() call, stored under its sequence number in the `wal` column family
// and replayed into the head on open (docs/storage-format.md, "WAL and head").
//
// A record refers to series by id; the `series` records of new series are written in the same
// atomic RocksDB batch, so replay always finds them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/storage/metric_store.h"

namespace vigil::storage {

struct WalDatum {
  uint64_t series = 0;
  uint8_t unit = kUnitNone;
  bool high_resolution = false;
  int64_t seconds = 0;
  Aggregate stats;
};

// `ids[i]` is the series id of `data[i]`. Appends to `out`.
void EncodeWalRecord(const std::vector<Datum>& data, const std::vector<uint64_t>& ids,
                     std::string& out);
bool DecodeWalRecord(std::string_view in, std::vector<WalDatum>& out);

}  // namespace vigil::storage
