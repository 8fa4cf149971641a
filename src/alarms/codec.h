// Persistence format of the alarm service (docs/alarms.md "Persistence"): key layout and JSON
// values. Keys are `<tag>\0<account>\0<region>\0<name>[...]`, so one scan reads a scope and
// names may hold any character but NUL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vigil/alarms/alarm.h"

namespace vigil::alarms::codec {

inline constexpr std::string_view kAlarmTag = "alarm";
inline constexpr std::string_view kHistoryTag = "hist";
inline constexpr std::string_view kMuteTag = "mute";

std::string AlarmKey(std::string_view account, std::string_view region, std::string_view name);
// History keys sort by time: ...\0<16 hex digits of millis><16 hex digits of sequence>.
std::string HistoryKey(std::string_view account, std::string_view region, Timestamp t,
                       uint64_t sequence);
std::string MuteKey(std::string_view account, std::string_view region, std::string_view name);
// The prefix of every key with this tag.
std::string TagPrefix(std::string_view tag);
// Account and region of a history key (the value does not repeat them).
bool SplitScope(std::string_view key, std::string& account, std::string& region);

std::string EncodeAlarm(const Alarm& a);
std::optional<Alarm> DecodeAlarm(std::string_view text);
std::string EncodeHistory(const HistoryItem& h);
std::optional<HistoryItem> DecodeHistory(std::string_view text);
std::string EncodeMute(const MuteRule& m);
std::optional<MuteRule> DecodeMute(std::string_view text);

// The alarm's configuration as a camelCase JSON object, as AWS writes it inside
// ConfigurationUpdate HistoryData.
std::string ConfigJson(const Alarm& a);

}  // namespace vigil::alarms::codec
