// The GetMetricData NextToken: where the next page starts (docs/query.md "Paging").
//
// Opaque to clients: base64 of a versioned binary record holding the query index, the timestamp
// of the last value already returned for that query, the time of the first call and a fingerprint
// of the request, sealed with a 64-bit check value. Decoding fails (InvalidNextToken) when any
// byte changed or the token belongs to a different request. The seal detects accidents and
// tampering, not forgery: a token only positions a reader inside data its own account may read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/common/time.h"
#include "vigil/query/metric_data.h"

namespace vigil::query::internal {

struct PagePosition {
  uint32_t query = 0;  // index into MetricDataRequest::queries
  // Which of the query's series (an expression may return an array of them; others have one).
  uint32_t series = 0;
  // The timestamp of the last value returned for `query`; absent when it has not started.
  std::optional<Timestamp> last;
  Timestamp first_call_now;  // `now` of the first page: rounding stays put across pages
};

// A stable 64-bit digest of everything that shapes the answer except the paging fields
// (NextToken, MaxDatapoints).
uint64_t Fingerprint(const MetricDataRequest& request);

std::string EncodePageToken(const PagePosition& position, uint64_t fingerprint);
std::optional<PagePosition> DecodePageToken(std::string_view token, uint64_t fingerprint);

}  // namespace vigil::query::internal
