# tuban eval --dataset: pooled counts against separate scan + eval runs, the command
# line, and the LEVIR-CD crops of ../shared/data.
set(EVAL_DATASET_OUT ${CMAKE_CURRENT_BINARY_DIR}/eval_dataset_out)
add_test(NAME eval_dataset_pooled
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/eval_dataset.sh ${TUBAN_EXE} ${EVAL_DATASET_OUT}/synth)
if(EXISTS ${TUBAN_SHARED_DATA}/levir-cd-samples)
  add_test(NAME eval_dataset_levir
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/eval_dataset.sh ${TUBAN_EXE} ${EVAL_DATASET_OUT}/levir
            ${TUBAN_SHARED_DATA})
endif()
add_test(NAME eval_dataset_missing_dir
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/expect_failure.sh 4 no-such-dir -- ${TUBAN_EXE} eval
          --dataset ${EVAL_DATASET_OUT}/no-such-dir)
