# The JSON readers apart (docs/decisions/0030-json-reader.md), and the RapidJSON alternative
# (rapidjson-dev, header-only; that benchmark is left out when the headers are missing).
#   cmake --build <dir> --target json_reader_bench && <dir>/tests/json_reader_bench
add_executable(json_reader_bench ${CMAKE_CURRENT_LIST_DIR}/json_reader_bench.cc)
target_include_directories(json_reader_bench PRIVATE ${PROJECT_SOURCE_DIR}/src
                                                     ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(json_reader_bench PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(json_reader_bench PRIVATE vigil_protocol benchmark::benchmark)
find_path(VIGIL_RAPIDJSON_INCLUDE rapidjson/reader.h)
if(VIGIL_RAPIDJSON_INCLUDE)
  target_include_directories(json_reader_bench SYSTEM PRIVATE ${VIGIL_RAPIDJSON_INCLUDE})
  target_compile_definitions(json_reader_bench PRIVATE VIGIL_BENCH_RAPIDJSON)
endif()
