# Metric-math benchmarks (docs/metric-math.md "Performance"): fetching 500 series × 1 day versus
# evaluating expressions over them.
#   cmake --build <dir> --target math_bench && <dir>/tests/math_bench
add_executable(math_bench ${CMAKE_CURRENT_LIST_DIR}/math_bench.cc)
target_include_directories(math_bench PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(math_bench PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(math_bench PRIVATE vigil_query vigil_storage benchmark::benchmark)
