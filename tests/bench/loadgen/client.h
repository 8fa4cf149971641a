// The load generator's HTTP/1.1 client: N keep-alive connections (one Asio coroutine each) that
// send pre-built requests back to back and time each one from the first byte written to the last
// byte of the answer read. A server that answers HTTP/1.0 or `Connection: close` (moto's
// werkzeug server) gets a new connection per request; that connect time is counted.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "loadgen/workload.h"

namespace vigil::loadgen {

// Hands out request number `index` (0-based) of the run; nullptr ends the connection asking.
// Called on the client's threads (must be thread safe).
using NextRequest = std::function<std::shared_ptr<const Request>(int64_t index)>;

struct RunOptions {
  Endpoint endpoint;
  int connections = 4;
  int threads = 1;           // threads running the connections
  double duration_s = 0;     // stop handing out requests after this (0: no limit)
  int64_t requests = 0;      // ... or after this many (0: no limit)
  double warmup_s = 0;       // requests started before this are not counted
  bool keep_bodies = false;  // keep every 200 answer's body (for counting points)
};

struct RunResult {
  double seconds = 0;                    // measured window (after warm-up)
  int64_t requests = 0;                  // answered (any status) in the window
  int64_t ok = 0;                        // HTTP 200
  int64_t datums_acked = 0;              // datums of the 200 answers
  int64_t bytes_sent = 0;                // request bodies as sent
  std::map<int, int64_t> status_errors;  // non-200 answers by status
  int64_t transport_errors = 0;          // connect/read/write failures, malformed answers
  int64_t reconnects = 0;
  std::string first_error;  // the first error seen (status line + start of the body)
  std::vector<double> latency_us;
  std::vector<std::string> bodies;  // with keep_bodies

  double Percentile(double p) const;
  int64_t Errors() const;
};

RunResult Run(const RunOptions& opt, const NextRequest& next);

}  // namespace vigil::loadgen
