// The two StateStore implementations: RocksDB (the server, `<data-dir>/state`) and memory (tests).
#include "vigil/alarms/state_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <mutex>

namespace vigil::alarms {
namespace {

ApiError StoreError(const rocksdb::Status& s) {
  std::string m = "state store: ";
  m += s.ToString();
  return MakeError(ErrorCode::kInternalFailure, std::move(m));
}

// Smallest key greater than every key beginning with `prefix` (empty: none).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    auto c = static_cast<unsigned char>(prefix.back());
    if (c != 0xff) {
      prefix.back() = static_cast<char>(c + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

class RocksStateStore final : public StateStore {
 public:
  RocksStateStore(std::unique_ptr<rocksdb::DB> db, bool sync) : db_(std::move(db)), sync_(sync) {}
  ~RocksStateStore() override {
    if (db_) {
      rocksdb::FlushOptions fo;
      (void)db_->Flush(fo);  // best effort: the WAL has everything anyway
      (void)db_->Close();
    }
  }

  Status Write(const WriteBatch& batch) override {
    rocksdb::WriteBatch wb;
    for (const auto& prefix : batch.delete_prefixes) {
      std::string end = PrefixEnd(prefix);
      if (end.empty()) {
        // Everything from `prefix` on: delete key by key.
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
        for (it->Seek(prefix); it->Valid(); it->Next()) (void)wb.Delete(it->key());
      } else {
        (void)wb.DeleteRange(db_->DefaultColumnFamily(), prefix, end);
      }
    }
    for (const auto& [begin, end] : batch.delete_ranges) {
      (void)wb.DeleteRange(db_->DefaultColumnFamily(), begin, end);
    }
    for (const auto& k : batch.deletes) (void)wb.Delete(k);
    for (const auto& [k, v] : batch.puts) (void)wb.Put(k, v);
    rocksdb::WriteOptions wo;
    wo.sync = sync_;
    auto s = db_->Write(wo, &wb);
    if (!s.ok()) return StoreError(s);
    return OkStatus();
  }

  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& f) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    rocksdb::Slice p(prefix.data(), prefix.size());
    for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
      if (!f(std::string_view(it->key().data(), it->key().size()),
             std::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
    if (!it->status().ok()) return StoreError(it->status());
    return OkStatus();
  }

  Status Reset() override {
    WriteBatch b;
    b.delete_prefixes.push_back(std::string());
    return Write(b);
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  bool sync_;
};

class MemoryStateStore final : public StateStore {
 public:
  Status Write(const WriteBatch& batch) override {
    std::lock_guard lock(mu_);
    for (const auto& prefix : batch.delete_prefixes) {
      auto it = data_.lower_bound(prefix);
      while (it != data_.end() && it->first.starts_with(prefix)) it = data_.erase(it);
    }
    for (const auto& [begin, end] : batch.delete_ranges) {
      data_.erase(data_.lower_bound(begin), data_.lower_bound(end));
    }
    for (const auto& k : batch.deletes) data_.erase(k);
    for (const auto& [k, v] : batch.puts) data_[k] = v;
    return OkStatus();
  }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& f) override {
    std::lock_guard lock(mu_);
    for (auto it = data_.lower_bound(prefix); it != data_.end() && it->first.starts_with(prefix);
         ++it) {
      if (!f(it->first, it->second)) break;
    }
    return OkStatus();
  }
  Status Reset() override {
    std::lock_guard lock(mu_);
    data_.clear();
    return OkStatus();
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> data_;
};

}  // namespace

Result<std::unique_ptr<StateStore>> OpenRocksStateStore(const StateStoreOptions& options) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.IncreaseParallelism(1);
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(o, options.path, &raw);
  if (!s.ok()) return StoreError(s);
  return std::unique_ptr<StateStore>(
      std::make_unique<RocksStateStore>(std::unique_ptr<rocksdb::DB>(raw), options.sync));
}

std::unique_ptr<StateStore> NewMemoryStateStore() { return std::make_unique<MemoryStateStore>(); }

}  // namespace vigil::alarms
