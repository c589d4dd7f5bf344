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
          "-DEXPECT=${bench_kernel_cases}|decode-gdal-deflate|decode-libtiff-deflate|decode-gdal-none|decode-libtiff-none|scan-deflate|scan-none"
          -P ${CMAKE_SOURCE_DIR}/bench/bench_smoke.cmake)
set_tests_properties(bench_smoke_kernels bench_smoke_scans PROPERTIES TIMEOUT 120 LABELS "bench")
# --decode: the floor bench/run_peers.sh prints, on a generated pair.
add_test(NAME bench_decode_floor
  COMMAND sh -c "set -e; rm -rf \"$1\"; \"$2\" synth \"$1\" --size 300 --seed 3 >/dev/null; \"$3\" --decode \"$1/before.tif\" \"$1/after.tif\" | grep -E '^decode-libtiff [0-9]+ threads: [0-9.]+ ms best of 3$'; if \"$3\" --decode \"$1/missing.tif\" \"$1/after.tif\" 2>/dev/null; then exit 1; fi"
          bench_decode ${CMAKE_CURRENT_BINARY_DIR}/bench_decode_pair $<TARGET_FILE:tuban> $<TARGET_FILE:tuban_bench>)
set_tests_properties(bench_decode_floor PROPERTIES TIMEOUT 60 LABELS "bench")
