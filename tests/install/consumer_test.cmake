# SPDX-License-Identifier: Apache-2.0
# Installs this build (cmake --install) into a fresh prefix, then builds examples/embed_c (C) and
# examples/classify (C++) as separate projects that find it with find_package(incept) and link
# incept::incept, runs both, and checks classify's top-5 against incept-classify's on the same image.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DGENERATOR=... -P consumer_test.cmake
foreach(v BUILD_DIR SOURCE_DIR GENERATOR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "consumer_test.cmake: pass -D${v}=...")
  endif()
endforeach()
set(WORK ${BUILD_DIR}/install-test)
set(PREFIX ${WORK}/prefix)
set(MODEL ${SOURCE_DIR}/tests/fuzz/corpus/model/tiny_inception.incept)
set(IMAGE ${SOURCE_DIR}/models/inception_small/samples/checkerboard.png)
file(REMOVE_RECURSE ${WORK})

function(run)   # run(<command...>): stop the test with the command's output when it fails
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}\n${err}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX})
foreach(f include/incept/incept.h include/incept/c_api.h lib/cmake/incept/inceptConfig.cmake
          lib/cmake/incept/inceptConfigVersion.cmake bin/incept-run)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "cmake --install did not install ${f}")
  endif()
endforeach()

foreach(example embed_c classify)
  set(B ${WORK}/${example})
  # Only the install prefix is searched: the source tree's headers and build are not visible.
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/${example} -B ${B} -G ${GENERATOR}
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  file(STRINGS ${B}/CMakeCache.txt dir REGEX "^incept_DIR:")
  if(NOT dir STREQUAL "incept_DIR:PATH=${PREFIX}/lib/cmake/incept")
    message(FATAL_ERROR "${example} found incept elsewhere: ${dir}")
  endif()
  run(${CMAKE_COMMAND} --build ${B})
  message(STATUS "${example}: configured and built against ${PREFIX}")
endforeach()

# embed_c (C, static arena): runs the model and prints five outputs.
run(${WORK}/embed_c/embed_c ${MODEL})
string(REGEX MATCHALL "output\\[[0-9]+\\]" lines "${OUT}")
list(LENGTH lines n)
if(NOT n EQUAL 5)
  message(FATAL_ERROR "embed_c printed ${n} outputs, expected 5:\n${OUT}")
endif()
message(STATUS "embed_c:\n${OUT}")

# classify (C++): the same top-5 classes, in the same order, as the installed incept-classify.
run(${WORK}/classify/classify ${MODEL} ${IMAGE})
string(REGEX MATCHALL "\\(class [0-9]+\\)" got "${OUT}")
string(REGEX REPLACE "\\(class ([0-9]+)\\)" "\\1" got "${got}")
message(STATUS "classify:\n${OUT}")
run(${PREFIX}/bin/incept-classify ${MODEL} ${IMAGE} --json --top 5)
set(want "")
foreach(i RANGE 4)
  string(JSON c GET "${OUT}" top ${i} class)
  list(APPEND want ${c})
endforeach()
if(NOT got STREQUAL want)
  message(FATAL_ERROR "classify's top-5 classes (${got}) differ from incept-classify's (${want})")
endif()
message(STATUS "classify top-5 = incept-classify top-5: ${got}")
