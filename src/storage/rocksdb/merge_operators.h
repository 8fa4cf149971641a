// RocksDB merge operators of the metric store (docs/storage-format.md, "Merge operators").
//
//   blocks: operands are encoded blocks (head checkpoints, late data, rollups); merging decodes
//           them, adds the statistics of buckets with the same index and re-encodes one block.
//   series: keeps the id, the newest and oldest datapoint times and the union of the unit masks.
//
// Ingest and rollups never read before writing; RocksDB folds operands in compactions and reads.
#pragma once

#include <rocksdb/merge_operator.h>

#include <memory>

namespace vigil::storage {

std::shared_ptr<rocksdb::MergeOperator> NewBlockMergeOperator();
std::shared_ptr<rocksdb::MergeOperator> NewSeriesMergeOperator();

}  // namespace vigil::storage
