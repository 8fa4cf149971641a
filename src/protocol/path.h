// Where in a request a decoding or validation problem is, rendered in the two forms clients see:
//   - Query form, which CloudWatch uses in its own messages for every protocol:
//     `MetricData.member.1.Dimensions.member.2.Name`, maps `Entity.KeyAttributes.entry.1.value`;
//   - coral form, used by ValidationError: `metricData.1.member.dimensions.2.member.name`,
//     maps `entity.keyAttributes.<key>`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/model/shape.h"

namespace vigil::protocol::internal {

struct PathSegment {
  enum Kind : unsigned char { kMember, kIndex, kMapValue };
  Kind kind = kMember;
  const model::Member* member = nullptr;  // kMember
  size_t index = 0;                       // kIndex, kMapValue: 1-based position on the wire
  std::string_view key;                   // kMapValue (must outlive the segment)
  std::string_view value_name = "value";  // kMapValue: the map's Query value name
};

// A path built outermost-first (Push/Pop while walking) or innermost-first (Prepend while an
// error unwinds); Render* take the segments in outermost-first order.
class Path {
 public:
  void PushMember(const model::Member* m) {
    segments_.push_back({PathSegment::kMember, m, 0, {}, {}});
  }
  void PushIndex(size_t one_based) {
    segments_.push_back({PathSegment::kIndex, nullptr, one_based, {}, {}});
  }
  void PushMapValue(size_t one_based, std::string_view key,
                    std::string_view value_name = "value") {
    segments_.push_back({PathSegment::kMapValue, nullptr, one_based, key, value_name});
  }
  void Pop() { segments_.pop_back(); }
  void Clear() { segments_.clear(); }
  bool empty() const { return segments_.empty(); }
  // While unwinding an error: segments were pushed innermost-first; this puts them in order.
  void Reverse();

  std::string QueryForm() const;
  std::string CoralForm() const;

 private:
  std::vector<PathSegment> segments_;
};

// "MetricData.member.1.Value" or, for an empty path, "the request body".
std::string QueryPathOrBody(const Path& p);

}  // namespace vigil::protocol::internal
