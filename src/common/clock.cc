#include "vigil/common/clock.h"

#include <chrono>

namespace vigil {

// The one place vigil reads the wall clock.
Timestamp SystemClock::Now() const {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp{std::chrono::duration_cast<std::chrono::milliseconds>(now).count()};
}

}  // namespace vigil
