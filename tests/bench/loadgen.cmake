# vigil_loadgen: real PutMetricData / GetMetricData traffic over keep-alive HTTP/1.1 against vigil
# or moto (tests/bench/run.sh, docs/performance.md).
#   cmake --build <dir> --target vigil_loadgen && <dir>/tests/vigil_loadgen put --help
add_executable(vigil_loadgen ${CMAKE_CURRENT_LIST_DIR}/loadgen/main.cc
                             ${CMAKE_CURRENT_LIST_DIR}/loadgen/client.cc
                             ${CMAKE_CURRENT_LIST_DIR}/loadgen/workload.cc)
target_include_directories(vigil_loadgen PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_compile_options(vigil_loadgen PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(vigil_loadgen PRIVATE Boost::system ZLIB::ZLIB OpenSSL::Crypto)
