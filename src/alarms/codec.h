// Persistence format of the alarm service (docs/alarms.md "Persistence"): key layout and JSON
// values. Keys are `<tag>\0<account>\0<region>\0<name>[...]`, so one scan reads a scope and
// names may hold any character but NUL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/alarms/alarm.h"
#include "vigil/alarms/notifier.h"

namespace vigil::alarms::codec {

inline constexpr std::string_view kAlarmTag = "alarm";
inline constexpr std::string_view kHistoryTag = "hist";
inline constexpr std::string_view kMuteTag = "mute";
// A composite's actions held for its ActionsSuppressorWaitPeriod (one record per composite).
inline constexpr std::string_view kHeldTag = "held";

std::string AlarmKey(std::string_view account, std::string_view region, std::string_view name);
// History keys sort by time: ...\0<16 hex digits of millis><16 hex digits of sequence>.
std::string HistoryKey(std::string_view account, std::string_view region, Timestamp t,
                       uint64_t sequence);
std::string MuteKey(std::string_view account, std::string_view region, std::string_view name);
std::string HeldKey(std::string_view account, std::string_view region, std::string_view name);
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

// Actions a composite holds back during its ActionsSuppressorWaitPeriod. `config_updated` is the
// composite's definition time when they were held: a record whose composite was redefined since
// is dropped on load, as the in-memory generation check drops it while running.
struct HeldActions {
  std::string composite;
  AlarmState state = AlarmState::kAlarm;
  Timestamp deadline;
  Timestamp config_updated;
  std::vector<ActionRequest> actions;
};
std::string EncodeHeld(const HeldActions& h);
std::optional<HeldActions> DecodeHeld(std::string_view account, std::string_view region,
                                      std::string_view text);

// The alarm's configuration as a camelCase JSON object, as AWS writes it inside
// ConfigurationUpdate HistoryData.
std::string ConfigJson(const Alarm& a);

}  // namespace vigil::alarms::codec
