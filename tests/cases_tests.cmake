# tuban cases: the case store end to end (merge, idempotent reruns, growth, feedback,
# rejection of bad feedback, suppression, re-verification, crash safety).
set(CASES_OUT ${CMAKE_CURRENT_BINARY_DIR}/cases_out)

foreach(t merge feedback closed_loop crash kinds)
  add_test(NAME cases_${t}
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cases_${t}.sh ${TUBAN_EXE} ${CASES_OUT}/${t})
endforeach()
set_tests_properties(cases_crash PROPERTIES TIMEOUT 600)


# A file that is not a case store is refused (exit 11) and left as it was.
add_test(NAME cases_not_a_store
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_failure.sh 11 "not a tuban case store" --
          ${TUBAN_EXE} cases list --store ${CMAKE_SOURCE_DIR}/testdata/sample/after.tif)
add_test(NAME cases_usage_unknown_subcommand
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_failure.sh 2 "frobnicate" --
          ${TUBAN_EXE} cases frobnicate)
