// The injected clock.
//
// Domain code (ingest validation, retention, alarms, anomaly training) never reads the system
// clock: it takes a `const Clock&`. Production uses SystemClock; tests and `--clock=manual` use
// ManualClock, which only moves when told to.
#pragma once

#include <atomic>

#include "vigil/common/time.h"

namespace vigil {

class Clock {
 public:
  virtual ~Clock() = default;
  // Thread-safe.
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock that moves only through Set/Advance. Thread-safe; never goes backwards through Advance,
// but Set may move it anywhere (tests decide).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start = Timestamp{}) : now_(start.millis) {}
  Timestamp Now() const override { return Timestamp{now_.load(std::memory_order_acquire)}; }
  void Set(Timestamp t) { now_.store(t.millis, std::memory_order_release); }
  void Advance(int64_t millis) { now_.fetch_add(millis, std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace vigil
