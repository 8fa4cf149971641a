# SEARCH and Metrics Insights benchmarks over 100,000 series in the RocksDB store
# (docs/search-and-insights.md "Performance"; target: a SEARCH in <= 50 ms).
#   cmake --build <dir> --target search_bench && <dir>/tests/search_bench
add_executable(search_bench ${CMAKE_CURRENT_LIST_DIR}/search_bench.cc)
target_include_directories(search_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(search_bench PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(search_bench PRIVATE vigil_query vigil_storage benchmark::benchmark)
