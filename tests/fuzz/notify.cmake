# libFuzzer target for the notify module's pure parser (only with -DVIGIL_FUZZ=ON, clang):
# fuzz_delivery_policy (SNS DeliveryPolicy, both the subscription and the topic form, and the
# retry schedule of whatever parses). delivery_policy.cc is compiled in directly so the target
# does not drag in vigil_alarms' storage dependencies. Run it like the others:
#   FUZZ_TARGETS=fuzz_delivery_policy tests/fuzz/run.sh 60 build-notify-fuzz
# Seeds are in tests/fuzz/corpus/fuzz_delivery_policy/.
add_executable(fuzz_delivery_policy ${CMAKE_CURRENT_LIST_DIR}/fuzz_delivery_policy.cc
  ${PROJECT_SOURCE_DIR}/src/notify/delivery_policy.cc)
target_include_directories(fuzz_delivery_policy PRIVATE ${PROJECT_SOURCE_DIR}/include
                                                        ${PROJECT_SOURCE_DIR}/src)
target_compile_options(fuzz_delivery_policy PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(fuzz_delivery_policy PRIVATE vigil_common nlohmann_json::nlohmann_json)
target_link_options(fuzz_delivery_policy PRIVATE -fsanitize=fuzzer)
