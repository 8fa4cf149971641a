// The decoders' error under construction: while a walker unwinds, each level adds its path
// segment; Finish() renders the message once the whole path is known.
#pragma once

#include <list>
#include <string>
#include <string_view>

#include "protocol/path.h"
#include "vigil/common/result.h"

namespace vigil::protocol::internal {

class DecodeError {
 public:
  // `before` + <query-form path> + `after`.
  void Set(ErrorCode code, std::string before, std::string after) {
    code_ = code;
    before_ = std::move(before);
    after_ = std::move(after);
    path_.Clear();
  }
  // Adds a segment while unwinding (innermost first).
  Path& path() { return path_; }
  // A map key that outlives the decoder frame it came from (for Path::PushMapValue).
  std::string_view Keep(std::string_view key) { return kept_.emplace_back(key); }

  ApiError Finish() {
    path_.Reverse();
    return MakeError(code_, before_ + QueryPathOrBody(path_) + after_);
  }

 private:
  ErrorCode code_ = ErrorCode::kSerializationException;
  std::string before_;
  std::string after_;
  Path path_;
  std::list<std::string> kept_;
};

}  // namespace vigil::protocol::internal
