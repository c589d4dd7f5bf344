# eval_tests.cmake: end-to-end tests of `tuban eval` on real data and on its command line.
#
# This file has two roles. Included by tests/CMakeLists.txt, it declares the tests.
# Each test runs this same file as a script (cmake -P, CMAKE_SCRIPT_MODE_FILE set),
# which runs tuban with the arguments in ARGS ('|'-separated) and checks:
#   EXPECT_RC   exit code (default 0)
#   JSON        ON: the output is piped through `python3 -m json.tool` (must parse)
#   EXPECT_F1   "1": pixel and object F1 are exactly 1; "below1": pixel F1 is below 1
#   EXPECT_TP   pixel true positives
#   EXPECT_OUT / EXPECT_ERR   regular expressions stdout / stderr must match
#   JSON_FILE   a file tuban wrote with --json FILE: must parse with json.tool

if(CMAKE_SCRIPT_MODE_FILE)
  string(REPLACE "|" ";" args "${ARGS}")
  if(NOT DEFINED EXPECT_RC)
    set(EXPECT_RC 0)
  endif()
  if(JSON)
    execute_process(COMMAND ${TUBAN} ${args} COMMAND ${PYTHON} -m json.tool
                    RESULTS_VARIABLE rcs OUTPUT_VARIABLE out ERROR_VARIABLE err)
    list(GET rcs 0 rc)
    list(GET rcs 1 json_rc)
    if(NOT json_rc EQUAL 0)
      message(FATAL_ERROR "python3 -m json.tool rejected the output of tuban (${json_rc}): ${err}")
    endif()
  else()
    execute_process(COMMAND ${TUBAN} ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                    ERROR_VARIABLE err)
  endif()
  if(NOT rc EQUAL EXPECT_RC)
    message(FATAL_ERROR "tuban ${args}: exit code ${rc}, expected ${EXPECT_RC}\n${out}\n${err}")
  endif()
  if(DEFINED EXPECT_OUT AND NOT out MATCHES "${EXPECT_OUT}")
    message(FATAL_ERROR "stdout does not match '${EXPECT_OUT}':\n${out}")
  endif()
  if(DEFINED EXPECT_ERR AND NOT err MATCHES "${EXPECT_ERR}")
    message(FATAL_ERROR "stderr does not match '${EXPECT_ERR}':\n${err}")
  endif()
  if(NOT EXPECT_RC EQUAL 0)
    # Errors are one line on stderr.
    string(REGEX MATCHALL "\n" lines "${err}")
    list(LENGTH lines nlines)
    if(NOT nlines EQUAL 1)
      message(FATAL_ERROR "the error should be one line, got ${nlines}:\n${err}")
    endif()
  endif()
  string(REGEX MATCH "\"pixel\": {[^}]*}" pixel "${out}")
  string(REGEX MATCH "\"object\": {[^}]*}" object "${out}")
  if(EXPECT_F1 STREQUAL "1")
    foreach(section pixel object)
      if(NOT ${section} MATCHES "\"f1\": 1[,\n]")
        message(FATAL_ERROR "${section} f1 is not 1:\n${out}")
      endif()
    endforeach()
  elseif(EXPECT_F1 STREQUAL "below1")
    if(NOT pixel MATCHES "\"f1\": 0\\.[0-9]")
      message(FATAL_ERROR "pixel f1 is not below 1:\n${out}")
    endif()
  endif()
  if(DEFINED EXPECT_TP AND NOT pixel MATCHES "\"tp\": ${EXPECT_TP},")
    message(FATAL_ERROR "pixel tp is not ${EXPECT_TP}:\n${out}")
  endif()
  if(DEFINED JSON_FILE)
    execute_process(COMMAND ${PYTHON} -m json.tool ${JSON_FILE} RESULT_VARIABLE json_rc
                    OUTPUT_VARIABLE json_out ERROR_VARIABLE json_err)
    if(NOT json_rc EQUAL 0 OR NOT json_out MATCHES "\"object\": {")
      message(FATAL_ERROR "${JSON_FILE} is not the JSON report: ${json_err}")
    endif()
  endif()
  return()
endif()

set(TUBAN_EVAL_SCRIPT ${CMAKE_CURRENT_LIST_FILE})
find_program(TUBAN_PYTHON3 python3)
set(eval_levir ${TUBAN_SHARED_DATA}/levir-cd-samples/label/test_7_0256_0512.png)
set(eval_levir2 ${TUBAN_SHARED_DATA}/levir-cd-samples/label/test_2_0000_0000.png)
set(eval_oscd ${TUBAN_SHARED_DATA}/oscd-sentinel2/paris/label/paris-cm.tif)

# tuban_eval_test(NAME ARGS a|b|c [VAR=VALUE ...]): one run of the script above.
function(tuban_eval_test name args)
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} -DTUBAN=${TUBAN_EXE} -DPYTHON=${TUBAN_PYTHON3}
                   "-DARGS=${args}" ${ARGN} -P ${TUBAN_EVAL_SCRIPT})
endfunction()

if(NOT TUBAN_PYTHON3)
  message(STATUS "eval tests: python3 not found, JSON checks skipped")
elseif(NOT EXISTS ${eval_levir} OR NOT EXISTS ${eval_oscd})
  message(STATUS "eval tests: ${TUBAN_SHARED_DATA} lacks the LEVIR-CD/OSCD labels, skipped")
else()
  # A LEVIR-CD label against itself: JSON parses, pixel and object F1 are 1.
  tuban_eval_test(eval_levir_self_json "eval|${eval_levir}|${eval_levir}|--json|-"
                  -DJSON=ON -DEXPECT_F1=1 -DEXPECT_TP=8961)
  # OSCD labels are 1 = no change, 2 = change (458 changed pixels in Paris).
  tuban_eval_test(eval_oscd_paris_self
                  "eval|${eval_oscd}|${eval_oscd}|--pred-values|2|--truth-values|2|--json|-"
                  -DJSON=ON -DEXPECT_F1=1 -DEXPECT_TP=458)
  # Two different tiles: F1 below 1 (the checks above can fail).
  tuban_eval_test(eval_levir_other_tile "eval|${eval_levir2}|${eval_levir}|--json|-"
                  -DJSON=ON -DEXPECT_F1=below1)
  # The table on stdout and the JSON in a file.
  tuban_eval_test(eval_table_and_json_file
                  "eval|${eval_levir}|${eval_levir}|--json=${CMAKE_CURRENT_BINARY_DIR}/eval_report.json"
                  "-DEXPECT_OUT=precision +1\\.0000 +1\\.0000"
                  -DJSON_FILE=${CMAKE_CURRENT_BINARY_DIR}/eval_report.json)
  # Different sizes: grid error, exit code 6.
  tuban_eval_test(eval_size_mismatch "eval|${eval_levir}|${eval_oscd}" -DEXPECT_RC=6
                  "-DEXPECT_ERR=256x256.*390x408")
endif()

# The command line alone.
tuban_eval_test(eval_help "eval|--help" "-DEXPECT_OUT=usage: tuban eval PREDICTION TRUTH")
tuban_eval_test(eval_usage_one_path "eval|only_one.tif" -DEXPECT_RC=2
                "-DEXPECT_ERR=need PREDICTION and TRUTH")
tuban_eval_test(eval_usage_bad_iou "eval|a.tif|b.tif|--iou|1.5" -DEXPECT_RC=2 "-DEXPECT_ERR=--iou")
tuban_eval_test(eval_usage_bad_list "eval|a.tif|b.tif|--truth-values|2,x" -DEXPECT_RC=2
                "-DEXPECT_ERR=--truth-values")
tuban_eval_test(eval_usage_unknown_option "eval|a.tif|b.tif|--bogus" -DEXPECT_RC=2
                "-DEXPECT_ERR=unknown option")
tuban_eval_test(eval_missing_file "eval|${CMAKE_CURRENT_BINARY_DIR}/no_such_pred.tif|${CMAKE_CURRENT_BINARY_DIR}/no_such_truth.tif"
                -DEXPECT_RC=4 "-DEXPECT_ERR=no_such_pred.tif: no such file")
