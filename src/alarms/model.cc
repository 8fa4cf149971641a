#include <array>

#include "vigil/alarms/alarm.h"

namespace vigil::alarms {
namespace {
constexpr std::array<std::string_view, 3> kHistoryNames = {"ConfigurationUpdate", "StateUpdate",
                                                           "Action"};
}  // namespace

std::string_view AlarmKindName(AlarmKind k) {
  return k == AlarmKind::kMetric ? "MetricAlarm" : "CompositeAlarm";
}
std::string_view HistoryTypeName(HistoryType t) { return kHistoryNames[static_cast<size_t>(t)]; }
std::optional<HistoryType> ParseHistoryType(std::string_view s) {
  for (size_t i = 0; i < kHistoryNames.size(); ++i) {
    if (kHistoryNames[i] == s) return static_cast<HistoryType>(i);
  }
  return std::nullopt;
}

}  // namespace vigil::alarms
