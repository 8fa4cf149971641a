# libFuzzer target for the metric-math parser, type checker and evaluator (only with
# -DVIGIL_FUZZ=ON, clang): FUZZ_TARGETS=fuzz_math tests/fuzz/run.sh <seconds>, or build the
# target and run it with tests/fuzz/corpus/fuzz_math/ as seeds (docs/metric-math.md "Fuzzing").
add_executable(fuzz_math ${CMAKE_CURRENT_LIST_DIR}/fuzz_math.cc)
target_include_directories(fuzz_math PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(fuzz_math PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(fuzz_math PRIVATE vigil_query)
target_link_options(fuzz_math PRIVATE -fsanitize=fuzzer)
