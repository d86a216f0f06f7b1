# Install rules, manual pages and the Debian package (CPack).
#
#   cmake --install build [--prefix /usr/local]
#     bin/iop
#     share/man/man1/iop.1, share/man/man5/iop-records.5   (when scdoc is found)
#     share/bash-completion/completions/iop
#     share/zsh/vendor-completions/_iop
#     share/fish/vendor_completions.d/iop.fish
#   cd build && cpack -G DEB      # iop_VERSION_ARCH.deb, installing under /usr
#
# tests/cli/test_install.py and test_deb.py check both.

include(GNUInstallDirs)

install(TARGETS iop RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# ---------------------------------------------------------------- manual pages
# Written in scdoc (docs/*.scd), built when scdoc is present (./setup installs it).
find_program(SCDOC scdoc)
if(SCDOC)
  set(IOP_MAN_PAGES iop.1 iop-records.5)
  set(IOP_MAN_OUTPUTS "")
  foreach(page ${IOP_MAN_PAGES})
    set(source ${PROJECT_SOURCE_DIR}/docs/${page}.scd)
    set(output ${PROJECT_BINARY_DIR}/man/${page})
    # scdoc reads stdin and writes stdout; a failed run must not leave a page behind.
    add_custom_command(
      OUTPUT ${output}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
      COMMAND sh -c "\"$1\" < \"$2\" > \"$3.tmp\" && mv \"$3.tmp\" \"$3\"" scdoc
              ${SCDOC} ${source} ${output}
      DEPENDS ${source}
      COMMENT "Building manual page ${page} with scdoc"
      VERBATIM)
    list(APPEND IOP_MAN_OUTPUTS ${output})
    string(REGEX MATCH "[0-9]$" section ${page})
    install(FILES ${output} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endforeach()
  add_custom_target(man ALL DEPENDS ${IOP_MAN_OUTPUTS})
else()
  message(WARNING "scdoc not found: the manual pages (docs/*.scd) are not built or installed; "
                  "install scdoc (./setup does) and configure again")
endif()

# ---------------------------------------------------------------- shell completions
# Where each shell looks for vendor completions on Debian (and most systems).
install(FILES ${PROJECT_SOURCE_DIR}/completions/iop.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME iop)
install(FILES ${PROJECT_SOURCE_DIR}/completions/_iop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PROJECT_SOURCE_DIR}/completions/iop.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# ---------------------------------------------------------------- Debian package
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME iop)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "iop")
set(CPACK_PACKAGE_CONTACT "iop maintainers <iop@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "treatment plans of Intensive Outpatient Programs (IOP) for addiction")
set(CPACK_PACKAGE_DESCRIPTION
    "iop manages the treatment plans of an Intensive Outpatient Program for addiction and \
chemical dependency: patients, sessions, drug screens, medication and plan changes are kept \
in plain-text TOML records, and a plan engine checks session frequency, curriculum progress \
and graduation criteria. Includes reminders for cron, CSV import and JSON, CSV and FHIR export.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON) # the build keeps debug information; the package need not
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion, man-db")

# Dependencies: computed by dpkg-shlibdeps from the libraries the binary links
# (fmt, toml++, libcsv, libcrypto, the C and C++ runtimes) when it is present; else the
# Debian 12 packages of those libraries, as `dpkg -S` names them.
find_program(DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(FILE_PROGRAM file) # CPack's shlibdeps step finds executables with file(1)
if(DPKG_SHLIBDEPS AND FILE_PROGRAM)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1 (>= 3.0), libfmt9 (>= 9.1.0), \
libtomlplusplus3 (>= 3.3.0), libcsv3 (>= 3.0.3), libssl3 (>= 3.0.0), libxxhash0 (>= 0.8.0)")
endif()

include(CPack)
