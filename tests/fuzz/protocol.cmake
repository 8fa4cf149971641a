# libFuzzer targets for the protocol codecs (only with -DVIGIL_FUZZ=ON, clang). tests/fuzz/run.sh
# configures a build directory, builds these three targets only and runs them.
foreach(target fuzz_json fuzz_cbor fuzz_query)
  add_executable(${target} ${CMAKE_CURRENT_LIST_DIR}/${target}.cc)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_options(${target} PRIVATE ${VIGIL_WARNINGS})
  target_link_libraries(${target} PRIVATE vigil_protocol)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
endforeach()
# The SNS operations' Query inputs (FUZZ_TARGETS=fuzz_sns_query tests/fuzz/run.sh).
add_executable(fuzz_sns_query ${CMAKE_CURRENT_LIST_DIR}/fuzz_sns_query.cc)
target_compile_options(fuzz_sns_query PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(fuzz_sns_query PRIVATE vigil_protocol)
target_link_options(fuzz_sns_query PRIVATE -fsanitize=fuzzer)
