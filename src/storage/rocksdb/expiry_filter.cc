#include "storage/rocksdb/expiry_filter.h"

#include "storage/keys.h"

namespace vigil::storage {
namespace {

class ExpiryFilter final : public rocksdb::CompactionFilter {
 public:
  explicit ExpiryFilter(std::shared_ptr<const Watermarks> watermarks)
      : watermarks_(std::move(watermarks)) {}

  Decision FilterV2(int, const rocksdb::Slice& key, ValueType type, const rocksdb::Slice&,
                    std::string*, std::string*) const override {
    if (type != ValueType::kValue && type != ValueType::kMergeOperand) return Decision::kKeep;
    BlockKey k;
    if (!DecodeBlockKey(std::string_view(key.data(), key.size()), k) || k.tier >= kTierCount) {
      return Decision::kKeep;
    }
    int64_t floor = watermarks_->floor[k.tier].load(std::memory_order_acquire);
    return k.block_start + kTiers[k.tier].block_seconds <= floor ? Decision::kRemove
                                                                 : Decision::kKeep;
  }

  const char* Name() const override { return "vigil.ExpiryFilter"; }

 private:
  std::shared_ptr<const Watermarks> watermarks_;
};

class ExpiryFilterFactory final : public rocksdb::CompactionFilterFactory {
 public:
  explicit ExpiryFilterFactory(std::shared_ptr<const Watermarks> watermarks)
      : watermarks_(std::move(watermarks)) {}

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context&) override {
    return std::make_unique<ExpiryFilter>(watermarks_);
  }

  const char* Name() const override { return "vigil.ExpiryFilterFactory"; }

 private:
  std::shared_ptr<const Watermarks> watermarks_;
};

}  // namespace

std::shared_ptr<rocksdb::CompactionFilterFactory> NewExpiryFilterFactory(
    std::shared_ptr<const Watermarks> watermarks) {
  return std::make_shared<ExpiryFilterFactory>(std::move(watermarks));
}

}  // namespace vigil::storage
