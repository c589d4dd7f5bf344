# synth_cli_fail.cmake: runs `tuban ARGS` and expects it to fail cleanly: the exit code
# CODE, nothing on stdout, and exactly one line on stderr matching EXPECT.
#   cmake -DTUBAN=path -DARGS="synth|--size|0" -DCODE=2 -DEXPECT=regex -P synth_cli_fail.cmake
# ARGS is separated by '|' (a ';' would not survive add_test).
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND ${TUBAN} ${args}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "${CODE}")
  message(FATAL_ERROR "expected exit code ${CODE}, got '${rc}' (stderr: ${err})")
endif()
if(NOT out STREQUAL "")
  message(FATAL_ERROR "expected nothing on stdout, got: ${out}")
endif()
string(REGEX MATCHALL "\n" newlines "${err}")
list(LENGTH newlines n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one line on stderr, got ${n}: ${err}")
endif()
if(NOT err MATCHES "${EXPECT}")
  message(FATAL_ERROR "stderr does not match '${EXPECT}': ${err}")
endif()
message(STATUS "ok (${rc}): ${err}")
