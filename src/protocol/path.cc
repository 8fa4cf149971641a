#include "protocol/path.h"

#include <algorithm>

namespace vigil::protocol::internal {

void Path::Reverse() { std::reverse(segments_.begin(), segments_.end()); }

std::string Path::QueryForm() const {
  std::string out;
  for (const PathSegment& s : segments_) {
    if (!out.empty()) out += '.';
    switch (s.kind) {
      case PathSegment::kMember:
        out += s.member->name;
        break;
      case PathSegment::kIndex:
        out += "member.";
        out += std::to_string(s.index);
        break;
      case PathSegment::kMapValue:
        out += "entry.";
        out += std::to_string(s.index);
        out += '.';
        out += s.value_name;
        break;
    }
  }
  return out;
}

std::string Path::CoralForm() const {
  std::string out;
  for (const PathSegment& s : segments_) {
    if (!out.empty()) out += '.';
    switch (s.kind) {
      case PathSegment::kMember:
        out += s.member->path_name;
        break;
      case PathSegment::kIndex:
        out += std::to_string(s.index);
        out += ".member";
        break;
      case PathSegment::kMapValue:
        out += s.key;
        break;
    }
  }
  return out;
}

std::string QueryPathOrBody(const Path& p) {
  return p.empty() ? std::string("the request body") : p.QueryForm();
}

}  // namespace vigil::protocol::internal
