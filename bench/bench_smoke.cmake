# bench_smoke.cmake: runs `BENCH ARGS...` (ARGS a |-separated list) and fails unless it
# exits 0 and prints one line per expected case: each name in EXPECT (|-separated)
# must start a line followed by `size threads :`.
#   cmake -DBENCH=tuban_bench "-DARGS=--quick|--no-scan" "-DEXPECT=change-score|ccl-push" -P bench_smoke.cmake
string(REPLACE "|" ";" args "${ARGS}")
string(REPLACE "|" ";" expect "${EXPECT}")
execute_process(COMMAND ${BENCH} ${args}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
message("${out}")
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "tuban_bench ${ARGS} exited with '${rc}': ${err}")
endif()
foreach(name ${expect})
  # threads 1 and 2 for every case except those run once (memory-bandwidth, decode)
  if(NOT out MATCHES "(^|\n)${name} +[0-9]+(MiB)? [0-9] : [^\n]*[0-9]")
    message(FATAL_ERROR "tuban_bench ${ARGS}: no line for case '${name}'")
  endif()
endforeach()
