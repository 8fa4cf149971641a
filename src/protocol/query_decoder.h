// AWS Query input: `application/x-www-form-urlencoded` pairs, flattened member paths
// (`MetricData.member.1.Dimensions.member.2.Name`, maps `Name.entry.N.key`/`.value`), walked
// through the input Shape. docs/protocols.md has the rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/common/result.h"
#include "vigil/model/shape.h"

namespace vigil::protocol::internal {

// Decoded form pairs; strings live in one arena (offsets, so the object can move).
class FormParams {
 public:
  // Percent-decodes `text` (`+` is a space). MalformedQueryString on a bad escape or when a
  // decoded key or value is not valid UTF-8.
  Status Parse(std::string_view text);

  size_t size() const { return pairs_.size(); }
  std::string_view key(size_t i) const { return View(pairs_[i].key_off, pairs_[i].key_len); }
  std::string_view value(size_t i) const { return View(pairs_[i].val_off, pairs_[i].val_len); }
  // First value of `name`; false when absent.
  bool Get(std::string_view name, std::string& value) const;

 private:
  struct Pair {
    uint32_t key_off, key_len, val_off, val_len;
  };
  std::string_view View(uint32_t off, uint32_t len) const {
    return std::string_view(arena_.data() + off, len);
  }
  std::string arena_;
  std::vector<Pair> pairs_;
};

// Decodes every pair except Action and Version into `out`, an object of `shape`. Errors:
// InvalidParameterValue "Value abc for parameter MetricData.member.1.Value is invalid." for a bad
// number/boolean/timestamp/blob; MissingParameter for an absent required member. Does not check
// constraints (validate.h does).
Status DecodeQuery(const FormParams& params, const model::Shape& shape, void* out);

}  // namespace vigil::protocol::internal
