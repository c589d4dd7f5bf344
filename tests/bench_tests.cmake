# tuban_bench smoke runs (tiny sizes, one repetition): every case prints its line and
# the program exits 0. The peers (bench/run_peers.sh) are not run under ctest.
set(bench_kernel_cases
  "memory-bandwidth|change-score|threshold|histogram|erode-3x3|erode-31x31|erode-ratio|open-close-r1|ccl-push|line45-erode-3|line45-erode-31|line45-ratio|reconstruct|building-index")
add_test(NAME bench_smoke_kernels
  COMMAND ${CMAKE_COMMAND} -DBENCH=$<TARGET_FILE:tuban_bench> "-DARGS=--quick|--no-scan"
          "-DEXPECT=${bench_kernel_cases}" -P ${CMAKE_SOURCE_DIR}/bench/bench_smoke.cmake)
add_test(NAME bench_smoke_scans
  COMMAND ${CMAKE_COMMAND} -DBENCH=$<TARGET_FILE:tuban_bench>
          "-DARGS=--quick|--tuban|$<TARGET_FILE:tuban>"
          "-DEXPECT=${bench_kernel_cases}|decode-gdal-deflate|decode-gdal-none|scan-deflate|scan-none"
          -P ${CMAKE_SOURCE_DIR}/bench/bench_smoke.cmake)
set_tests_properties(bench_smoke_kernels bench_smoke_scans PROPERTIES TIMEOUT 120 LABELS "bench")
