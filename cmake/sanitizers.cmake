# Sanitizers and fuzzing instrumentation, for every target of the build (libraries, tests, qmpc itself).
#
#   -DQMPC_SANITIZE=address,undefined   ASan + UBSan; any error aborts the program (-fno-sanitize-recover=all)
#   -DQMPC_BUILD_FUZZ=ON                with clang: libFuzzer coverage in every target, the targets of tests/fuzz,
#                                       and ASan + UBSan unless QMPC_SANITIZE says otherwise
set(QMPC_FUZZ OFF)
if(QMPC_BUILD_FUZZ)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    set(QMPC_FUZZ ON)
    if(QMPC_SANITIZE STREQUAL "")
      set(QMPC_SANITIZE address,undefined)
    endif()
    # Coverage for the fuzzer's guidance; the fuzz targets add libFuzzer itself when they link.
    add_compile_options(-fsanitize=fuzzer-no-link)
    add_link_options(-fsanitize=fuzzer-no-link)
    message(STATUS "qmpc: fuzz targets on (tests/fuzz), sanitizers ${QMPC_SANITIZE}")
  else()
    message(STATUS "qmpc: fuzz targets skipped: libFuzzer needs clang, the compiler is ${CMAKE_CXX_COMPILER_ID} "
                   "(configure with -DCMAKE_CXX_COMPILER=clang++)")
  endif()
endif()

if(NOT QMPC_SANITIZE STREQUAL "")
  add_compile_options(-fsanitize=${QMPC_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND QMPC_SANITIZE MATCHES "undefined")
    # clang 14 cannot emit UBSan's function check in C++20 coroutines ("Cannot represent a difference across
    # sections"); the asio code is made of them.
    add_compile_options(-fno-sanitize=function)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    add_compile_options(-fsanitize-ignorelist=${CMAKE_CURRENT_LIST_DIR}/sanitizer-ignorelist.txt)
  endif()
  add_link_options(-fsanitize=${QMPC_SANITIZE})
  message(STATUS "qmpc: sanitizers ${QMPC_SANITIZE}")
endif()
