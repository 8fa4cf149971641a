# libFuzzer target for the anomaly model (only with -DVIGIL_FUZZ=ON, clang): fuzz_anomaly_model
# feeds arbitrary bytes to Model::Deserialize (the persisted record the retrainer writes) and
# trains on points decoded from them (the run calibration included). Run it like the others:
#   FUZZ_TARGETS=fuzz_anomaly_model tests/fuzz/run.sh 120
# Seeds are in tests/fuzz/corpus/fuzz_anomaly_model/.
add_executable(fuzz_anomaly_model ${CMAKE_CURRENT_LIST_DIR}/fuzz_anomaly_model.cc)
target_compile_options(fuzz_anomaly_model PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(fuzz_anomaly_model PRIVATE vigil_anomaly)
target_link_options(fuzz_anomaly_model PRIVATE -fsanitize=fuzzer)
