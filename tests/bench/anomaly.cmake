# Anomaly-model benchmarks and the NAB accuracy replay (style.md §14; docs/anomaly-detection.md).
#   cmake --build <dir> --target anomaly_bench anomaly_nab && <dir>/tests/anomaly_bench
#   tests/bench/anomaly_score.sh <dir>     # NAB accuracy table, one command
add_executable(anomaly_bench ${CMAKE_CURRENT_LIST_DIR}/anomaly_bench.cc)
target_include_directories(anomaly_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(anomaly_bench PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(anomaly_bench PRIVATE vigil_anomaly benchmark::benchmark)

add_executable(anomaly_nab ${CMAKE_CURRENT_LIST_DIR}/anomaly_nab.cc)
target_compile_options(anomaly_nab PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(anomaly_nab PRIVATE vigil_anomaly)
