// StateStore: where the alarm service persists alarms, state, history, tags and mute rules.
//
// A small ordered key-value interface: the service owns the key layout and the value encoding
// (docs/alarms.md "Persistence"). The server uses RocksDB in its own instance under
// `<data-dir>/state`, apart from the metrics database; tests use the in-memory twin.
// Thread safety: every method may be called from several threads at once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/common/result.h"

namespace vigil::alarms {

// A batch applied atomically: puts and deletes in order.
struct WriteBatch {
  std::vector<std::pair<std::string, std::string>> puts;
  std::vector<std::string> deletes;
  std::vector<std::string> delete_prefixes;  // every key beginning with one of these
  std::vector<std::pair<std::string, std::string>> delete_ranges;  // [begin, end)
  bool empty() const {
    return puts.empty() && deletes.empty() && delete_prefixes.empty() && delete_ranges.empty();
  }
};

class StateStore {
 public:
  virtual ~StateStore() = default;
  virtual Status Write(const WriteBatch& batch) = 0;
  // Calls `f` for every key beginning with `prefix`, in key order, until it returns false.
  virtual Status Scan(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& f) = 0;
  // Removes everything (POST /_vigil/reset).
  virtual Status Reset() = 0;
};

struct StateStoreOptions {
  std::string path;
  bool sync = false;  // fsync the WAL before acknowledging (--sync=always)
};

Result<std::unique_ptr<StateStore>> OpenRocksStateStore(const StateStoreOptions& options);
std::unique_ptr<StateStore> NewMemoryStateStore();

}  // namespace vigil::alarms
