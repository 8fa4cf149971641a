# The scheduled anomaly retrainer at scale (docs/anomaly-detection.md "Performance"): 10,000
# detectors on 14 days of 1-minute data in RocksDB, the pass time, and API latency on one core
# while a pass runs at SCHED_IDLE.
#   cmake --build <dir> --target anomaly_retrain_bench && <dir>/tests/anomaly_retrain_bench
add_executable(anomaly_retrain_bench ${CMAKE_CURRENT_LIST_DIR}/anomaly_retrain_bench.cc)
target_include_directories(anomaly_retrain_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(anomaly_retrain_bench PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(anomaly_retrain_bench PRIVATE vigil_api vigil_storage benchmark::benchmark)
