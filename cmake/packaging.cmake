# The Debian package qmpc (`cpack -G DEB` in the build, or `cmake --build build --target package`): everything the
# install rules install (the qmpc tool and its manual page, the headers, the static libraries, the CMake package and
# qmpc.pc, the licence), under /usr, plus /usr/share/doc/qmpc/copyright in Debian's machine-readable format.

# debian/copyright from LICENSE: the same text as a "License: Expat" paragraph (lines indented, blank lines " .").
file(READ ${PROJECT_SOURCE_DIR}/LICENSE qmpc_license)
string(REGEX MATCH "Copyright \\(c\\) ([^\n]*)" qmpc_copyright_line "${qmpc_license}")
set(QMPC_COPYRIGHT "${CMAKE_MATCH_1}")
string(FIND "${qmpc_license}" "Permission is hereby granted" qmpc_grant)
string(SUBSTRING "${qmpc_license}" ${qmpc_grant} -1 qmpc_license)
string(STRIP "${qmpc_license}" qmpc_license)
string(REPLACE "\n\n" "\n.\n" qmpc_license "${qmpc_license}")
string(REPLACE "\n" "\n " QMPC_LICENSE_TEXT " ${qmpc_license}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/debian-copyright.in ${PROJECT_BINARY_DIR}/debian/copyright @ONLY)
# Only in the package: `cmake --install` leaves it out unless asked for the component.
install(FILES ${PROJECT_BINARY_DIR}/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR}
        COMPONENT debian EXCLUDE_FROM_ALL)
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};${PROJECT_NAME};ALL;/"
                                 "${PROJECT_BINARY_DIR};${PROJECT_NAME};debian;/")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME qmpc)
set(CPACK_PACKAGE_VENDOR "The qmpc authors")
set(CPACK_PACKAGE_CONTACT "The qmpc authors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "qmpc talks QMP to a bare qemu-system binary, with no libvirt in between, and pivots a drive-mirror or
blockdev-mirror copy the moment the job says it is ready. The package holds the qmpc tool and its manual
page, and the C++20 libraries (headers, static libraries, CMake package qmpc, pkg-config file qmpc.pc).")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # the tool; static libraries keep their symbols
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # qmpc_VERSION-RELEASE_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# A program built against the headers needs those the public headers include.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libboost1.81-dev, rapidjson-dev, libspdlog-dev")
# The tool runs QEMU itself for `launch` and `demo`; it can also talk to one started elsewhere.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qemu-system-x86, qemu-utils")
# The shared libraries the tool links (libspdlog, libfmt, libstdc++, ...), as dpkg-shlibdeps finds them.
find_program(QMPC_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(QMPC_FILE file)
if(QMPC_DPKG_SHLIBDEPS AND QMPC_FILE)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  message(STATUS "dpkg-shlibdeps or file missing (packages dpkg-dev, file): Debian 12's library names used")
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libspdlog1.10, libfmt9, libstdc++6, libgcc-s1, libc6")
endif()
include(CPack)
