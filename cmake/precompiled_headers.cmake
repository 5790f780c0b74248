# Precompiled headers: with -DQMPC_PCH=ON, each target listed below compiles the external headers of
# cmake/pch/ (Boost.Asio, RapidJSON, spdlog, the standard library, and GoogleTest or CLI11 where used) once
# instead of in every file: a whole build takes about a third of the CPU time. tools/scripts/test.sh turns it on.
# It is off by default, so that a development build checks that every file includes what it uses.
option(QMPC_PCH "Precompile the external headers (faster whole builds)" OFF)

# qmpc_precompile_headers(common|cli|test TARGET...)
function(qmpc_precompile_headers set)
  if(NOT QMPC_PCH)
    return()
  endif()
  foreach(target IN LISTS ARGN)
    if(TARGET ${target})
      target_precompile_headers(${target} PRIVATE ${PROJECT_SOURCE_DIR}/cmake/pch/${set}.hpp)
      # GCC 12 no longer treats the standard library as a system header once it is precompiled: its false
      # positives on std::string inlined at -O2 (GCC bugs 105329, 105651) then become errors. The development
      # build, without precompiled headers, keeps these warnings.
      target_compile_options(${target} PRIVATE
                             $<$<CXX_COMPILER_ID:GNU>:-Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread>)
    endif()
  endforeach()
endfunction()
