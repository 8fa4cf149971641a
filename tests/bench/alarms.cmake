# Alarm-evaluator benchmarks (style.md §14; docs/alarms.md "Performance"): one evaluation pass
# over 1k / 10k / 100k one-minute alarms, each on its own series, over the memory store and over
# the RocksDB store the server uses.
#   cmake --build <dir> --target alarms_bench && <dir>/tests/alarms_bench
add_executable(alarms_bench ${CMAKE_CURRENT_LIST_DIR}/alarms_bench.cc)
target_include_directories(alarms_bench PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(alarms_bench PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(alarms_bench PRIVATE vigil_alarms vigil_storage benchmark::benchmark)
