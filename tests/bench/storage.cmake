# Store benchmarks (style.md §14): Write() of 1000-datum batches over 10,000 series, Read() of one
# day at 60 s.
#   cmake --build <dir> --target storage_bench && <dir>/tests/storage_bench
add_executable(storage_bench ${CMAKE_CURRENT_LIST_DIR}/storage_bench.cc)
target_include_directories(storage_bench PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(storage_bench PRIVATE ${VIGIL_WARNINGS})
target_link_libraries(storage_bench PRIVATE vigil_storage benchmark::benchmark)
