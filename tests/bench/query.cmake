# Query-engine benchmarks (style.md §14; docs/query.md "Performance"): the engine's cost beyond the
# store's Read for 1 series × 1 day at 60 s, and GetMetricData of 500 queries × 1 day end to end
# through the front end in each protocol.
#   cmake --build <dir> --target query_bench && <dir>/tests/query_bench
add_executable(query_bench ${CMAKE_CURRENT_LIST_DIR}/query_bench.cc
                           ${PROJECT_SOURCE_DIR}/tests/unit/api/wire_client.cc)
target_include_directories(query_bench PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(query_bench PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(query_bench PRIVATE vigil_api vigil_query vigil_storage benchmark::benchmark
                                          PkgConfig::CBOR nlohmann_json::nlohmann_json)
