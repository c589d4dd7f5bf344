#!/bin/sh
# run_tests.sh: builds tuban and runs every test:
#   1. gcc, -Werror, all ctest tests;
#   2. clang, -Werror (build only: the warnings of a second compiler);
#   3. gcc with AddressSanitizer + UndefinedBehaviorSanitizer, all ctest tests.
# Set TUBAN_QUICK=1 to run only step 1.
set -e
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
[ "${TUBAN_QUICK:-0}" = 1 ] && exit 0
CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON >/dev/null
cmake --build build-clang -j"$jobs"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTUBAN_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
