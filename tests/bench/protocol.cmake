# Codec benchmarks (style.md §14): decode a 1000-datum PutMetricData in each protocol.
#   cmake --build <dir> --target codec_bench && <dir>/tests/codec_bench
add_executable(codec_bench ${CMAKE_CURRENT_LIST_DIR}/codec_bench.cc)
target_include_directories(codec_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(codec_bench PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(codec_bench PRIVATE vigil_protocol benchmark::benchmark nlohmann_json::nlohmann_json)
