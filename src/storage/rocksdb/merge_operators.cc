#include "storage/rocksdb/merge_operators.h"

#include <algorithm>

#include "storage/encoding/block.h"
#include "storage/keys.h"
#include "storage/tiers.h"

namespace vigil::storage {
namespace {

using encoding::BlockBucket;

// The bucket capacity of the block a key names (0 for a malformed key).
uint32_t MaxIndex(const rocksdb::Slice& key) {
  BlockKey k;
  if (!DecodeBlockKey(std::string_view(key.data(), key.size()), k) || k.tier >= kTierCount) return 0;
  return kTiers[k.tier].buckets_per_block();
}

class BlockMergeOperator final : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    std::vector<const rocksdb::Slice*> parts;
    parts.reserve(in.operand_list.size() + 1);
    if (in.existing_value != nullptr) parts.push_back(in.existing_value);
    for (const auto& op : in.operand_list) parts.push_back(&op);
    return MergeAll(in.key, parts, out->new_value);
  }

  bool PartialMergeMulti(const rocksdb::Slice& key, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger*) const override {
    std::vector<const rocksdb::Slice*> parts;
    parts.reserve(operands.size());
    for (const auto& op : operands) parts.push_back(&op);
    return MergeAll(key, parts, *new_value);
  }

  const char* Name() const override { return "vigil.BlockMerge.v1"; }

 private:
  static bool MergeAll(const rocksdb::Slice& key, const std::vector<const rocksdb::Slice*>& parts,
                       std::string& out) {
    uint32_t max_index = MaxIndex(key);
    if (max_index == 0) return false;
    std::vector<BlockBucket> merged, next;
    for (const rocksdb::Slice* p : parts) {
      if (!encoding::DecodeBlock(std::string_view(p->data(), p->size()), max_index, next)) return false;
      encoding::MergeBuckets(merged, std::move(next));
      next.clear();
    }
    out.clear();
    encoding::EncodeBlock(merged, out);
    return true;
  }
};

class SeriesMergeOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    SeriesRecord a, b;
    if (!DecodeSeriesRecord(std::string_view(value.data(), value.size()), b)) return false;
    if (existing == nullptr) {
      new_value->assign(value.data(), value.size());
      return true;
    }
    if (!DecodeSeriesRecord(std::string_view(existing->data(), existing->size()), a)) return false;
    a.last_seconds = std::max(a.last_seconds, b.last_seconds);
    a.first_seconds = std::min(a.first_seconds, b.first_seconds);
    a.units |= b.units;
    *new_value = EncodeSeriesRecord(a);
    return true;
  }
  const char* Name() const override { return "vigil.SeriesMerge.v2"; }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewBlockMergeOperator() {
  return std::make_shared<BlockMergeOperator>();
}

std::shared_ptr<rocksdb::MergeOperator> NewSeriesMergeOperator() {
  return std::make_shared<SeriesMergeOperator>();
}

}  // namespace vigil::storage
