# libFuzzer targets for the alarm engine's pure parsers (only with -DVIGIL_FUZZ=ON, clang):
# fuzz_alarm_rule (composite AlarmRule) and fuzz_mute_schedule (mute rule schedules), both from
# fuzz_alarm_rule.cc. The parser sources are compiled in directly so the targets do not drag in
# vigil_alarms' storage and query dependencies. Run them like the protocol targets
# (tests/fuzz/run.sh); seeds are in tests/fuzz/corpus/<target>/.
find_package(date CONFIG REQUIRED)
foreach(target fuzz_alarm_rule fuzz_mute_schedule)
  add_executable(${target} ${CMAKE_CURRENT_LIST_DIR}/fuzz_alarm_rule.cc
    ${PROJECT_SOURCE_DIR}/src/alarms/composite_rule.cc
    ${PROJECT_SOURCE_DIR}/src/alarms/mute_schedule.cc
    ${PROJECT_SOURCE_DIR}/src/alarms/cron_spec.cc
    ${PROJECT_SOURCE_DIR}/src/alarms/evaluation.cc)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/include
                                               ${PROJECT_SOURCE_DIR}/src
                                               ${PROJECT_SOURCE_DIR}/tests)
  target_compile_options(${target} PRIVATE ${VIGIL_WARNINGS})
  target_link_libraries(${target} PRIVATE vigil_common date::date-tz)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
endforeach()
target_compile_definitions(fuzz_mute_schedule PRIVATE VIGIL_FUZZ_MUTE_SCHEDULE)
