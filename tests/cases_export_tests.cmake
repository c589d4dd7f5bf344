# tuban cases export: documents in the outbox, idempotent reruns, and HTTP delivery to a
# real server on 127.0.0.1 (python3), including failures, recovery and a refusal.
add_test(NAME cases_export
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cases_export.sh ${TUBAN_EXE}
          ${CMAKE_CURRENT_BINARY_DIR}/cases_out/export)
set_tests_properties(cases_export PROPERTIES TIMEOUT 120)
