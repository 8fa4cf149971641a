# libFuzzer targets for the SEARCH and Metrics Insights parsers (only with -DVIGIL_FUZZ=ON,
# clang): FUZZ_TARGETS="fuzz_search fuzz_insights" tests/fuzz/run.sh <seconds>.
foreach(target fuzz_search fuzz_insights)
  add_executable(${target} ${CMAKE_CURRENT_LIST_DIR}/${target}.cc)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_compile_options(${target} PRIVATE ${VIGIL_WARNINGS})
  target_link_libraries(${target} PRIVATE vigil_query)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
endforeach()
