// CloudWatch's limits that the model does not express (cloudwatch-semantics.md §2–§4).
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigil::api {

inline constexpr size_t kMaxDatumsPerPut = 1000;
inline constexpr size_t kMaxValuesPerDatum = 150;
inline constexpr double kMaxMagnitude = 2.348542582773833e108;   // 2^360
inline constexpr double kMinMagnitude = 4.258000496908905e-109;  // 2^-360
inline constexpr int64_t kMaxPastMillis = 14LL * 24 * 3600 * 1000;
inline constexpr int64_t kMaxFutureMillis = 2LL * 3600 * 1000;
inline constexpr size_t kListMetricsPageSize = 500;
inline constexpr int64_t kListMetricsActiveWindowMillis = 14LL * 24 * 3600 * 1000;
inline constexpr int64_t kRecentlyActiveMillis = 3LL * 3600 * 1000;
inline constexpr int64_t kMaxStatisticsDatapoints = 1440;

}  // namespace vigil::api
