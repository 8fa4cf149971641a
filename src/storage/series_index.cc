#include "storage/series_index.h"

#include <cstring>
#include <limits>
#include <mutex>
#include <new>

namespace vigil::storage {

void SeriesEntry::Observe(int64_t seconds, uint8_t unit, bool high_resolution) {
  int64_t cur = last_seconds.load(std::memory_order_relaxed);
  while (seconds > cur && !last_seconds.compare_exchange_weak(cur, seconds)) {
  }
  cur = first_seconds.load(std::memory_order_relaxed);
  while (seconds < cur && !first_seconds.compare_exchange_weak(cur, seconds)) {
  }
  uint32_t bit = (1u << (unit & 31)) | (high_resolution ? kHighResolutionBit : 0);
  if ((units.load(std::memory_order_relaxed) & bit) != bit) units.fetch_or(bit);
}

SeriesRecord SeriesEntry::Record() const {
  return SeriesRecord{id, last_seconds.load(), first_seconds.load(), units.load()};
}

bool SeriesEntry::Stale(int64_t granularity) const {
  return last_seconds.load(std::memory_order_relaxed) >
             persisted_last.load(std::memory_order_relaxed) + granularity ||
         first_seconds.load(std::memory_order_relaxed) <
             persisted_first.load(std::memory_order_relaxed) ||
         (units.load(std::memory_order_relaxed) & ~persisted_units.load(std::memory_order_relaxed)) != 0;
}

void SeriesEntry::Persisted(const SeriesRecord& r) {
  int64_t cur = persisted_last.load();
  while (r.last_seconds > cur && !persisted_last.compare_exchange_weak(cur, r.last_seconds)) {
  }
  cur = persisted_first.load();
  while (r.first_seconds < cur && !persisted_first.compare_exchange_weak(cur, r.first_seconds)) {
  }
  persisted_units.fetch_or(r.units);
  persisted.store(true, std::memory_order_release);
}

void SeriesEntry::Deleter::operator()(SeriesEntry* e) const {
  e->~SeriesEntry();
  ::operator delete(e);
}

SeriesEntry::Ptr SeriesEntry::Create(std::string_view key, uint64_t id) {
  void* memory = ::operator new(sizeof(SeriesEntry) + key.size());
  auto* e = new (memory) SeriesEntry();
  char* bytes = reinterpret_cast<char*>(e + 1);
  std::memcpy(bytes, key.data(), key.size());
  e->key = std::string_view(bytes, key.size());
  e->id = id;
  return Ptr(e);
}

uint64_t SeriesIndex::Hash(std::string_view key) { return std::hash<std::string_view>()(key); }

SeriesEntry* SeriesIndex::FindLocked(std::string_view key, uint64_t hash) const {
  if (slots_.empty()) return nullptr;
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.entry == nullptr) return nullptr;
    if (s.hash == hash && s.entry->key == key) return s.entry;
  }
}

SeriesEntry* SeriesIndex::Find(std::string_view key) const {
  uint64_t hash = Hash(key);
  std::shared_lock lock(mu_);
  return FindLocked(key, hash);
}

SeriesEntry* SeriesIndex::FindOrCreate(std::string_view key) {
  uint64_t hash = Hash(key);
  {
    std::shared_lock lock(mu_);
    if (SeriesEntry* e = FindLocked(key, hash)) return e;
  }
  std::unique_lock lock(mu_);
  if (SeriesEntry* e = FindLocked(key, hash)) return e;
  return InsertLocked(key, hash, next_id_++);
}

void SeriesIndex::Grow() {
  std::vector<Slot> bigger(slots_.empty() ? 1024 : slots_.size() * 2);
  size_t mask = bigger.size() - 1;
  for (const Slot& s : slots_) {
    if (s.entry == nullptr) continue;
    size_t i = s.hash & mask;
    while (bigger[i].entry != nullptr) i = (i + 1) & mask;
    bigger[i] = s;
  }
  slots_.swap(bigger);
}

SeriesEntry* SeriesIndex::InsertLocked(std::string_view key, uint64_t hash, uint64_t id) {
  if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
  entries_.push_back(SeriesEntry::Create(key, id));
  SeriesEntry* e = entries_.back().get();
  size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].entry != nullptr) i = (i + 1) & mask;
  slots_[i] = {hash, e};
  ordered_.emplace(e->key, e);
  return e;
}

void SeriesIndex::Load(std::string_view key, const SeriesRecord& r) {
  uint64_t hash = Hash(key);
  std::unique_lock lock(mu_);
  SeriesEntry* e = InsertLocked(key, hash, r.id);
  e->last_seconds = e->persisted_last = r.last_seconds;
  e->first_seconds = e->persisted_first = r.first_seconds;
  e->units = e->persisted_units = r.units;
  e->persisted = true;
  if (r.id >= next_id_) next_id_ = r.id + 1;
}

std::vector<SeriesInfo> SeriesIndex::List(const ListFilter& filter,
                                          const std::optional<SeriesKey>& after,
                                          size_t limit) const {
  std::vector<SeriesInfo> out;
  std::string prefix = EncodeSeriesPrefix(filter);
  std::string after_bytes = after ? EncodeSeriesKey(*after) : std::string();
  std::shared_lock lock(mu_);
  auto it = ordered_.lower_bound(std::max<std::string_view>(prefix, after_bytes));
  for (; it != ordered_.end() && out.size() < limit; ++it) {
    std::string_view k = it->first;
    if (!k.starts_with(prefix)) break;
    if (after && k <= after_bytes) continue;
    const SeriesEntry& e = *it->second;
    if (!e.persisted.load(std::memory_order_acquire)) continue;  // never acknowledged
    int64_t last = e.last_seconds.load(std::memory_order_relaxed);
    if (filter.active_since && last < filter.active_since->seconds()) continue;
    auto key = DecodeSeriesKey(k);
    if (!key || !MatchesFilter(*key, filter)) continue;
    out.push_back({std::move(*key), Timestamp::FromSeconds(last)});
  }
  return out;
}

void SeriesIndex::Scan(
    const ListFilter& filter,
    const std::function<bool(std::string_view key, Timestamp last)>& visit) const {
  std::string prefix = EncodeSeriesPrefix(filter);
  const int64_t since =
      filter.active_since ? filter.active_since->seconds() : std::numeric_limits<int64_t>::min();
  // True to go on.
  auto one = [&](std::string_view k, const SeriesEntry& e) {
    if (!k.starts_with(prefix)) return true;
    if (!e.persisted.load(std::memory_order_acquire)) return true;  // never acknowledged
    int64_t last = e.last_seconds.load(std::memory_order_relaxed);
    if (last < since) return true;
    return visit(k, Timestamp::FromSeconds(last));
  };
  std::shared_lock lock(mu_);
  if (filter.namespace_) {
    // A namespace narrows the walk to one range of the ordered map.
    for (auto it = ordered_.lower_bound(prefix); it != ordered_.end(); ++it) {
      if (!it->first.starts_with(prefix)) break;
      if (!one(it->first, *it->second)) return;
    }
    return;
  }
  // The whole account and region: entries in creation order, which is their order in memory
  // (each entry and its key are one allocation), several times faster than the map's key order.
  for (const auto& e : entries_) {
    if (!one(e->key, *e)) return;
  }
}

void SeriesIndex::Clear() {
  std::unique_lock lock(mu_);
  ordered_.clear();
  slots_.clear();
  entries_.clear();
  next_id_ = 1;
}

size_t SeriesIndex::size() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

}  // namespace vigil::storage
