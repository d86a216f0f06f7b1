# FindCSV: libcsv (Debian: libcsv-dev), the RFC 4180 parser `iop import` uses.
# libcsv ships neither a CMake config nor a pkg-config file, hence this module.
#
# Defines CSV_FOUND, CSV_INCLUDE_DIR, CSV_LIBRARY, CSV_VERSION and the
# imported target CSV::CSV.

find_path(CSV_INCLUDE_DIR NAMES csv.h)
find_library(CSV_LIBRARY NAMES csv)

# Another package may own a csv.h; libcsv's defines CSV_MAJOR.
if(CSV_INCLUDE_DIR AND EXISTS "${CSV_INCLUDE_DIR}/csv.h")
  file(STRINGS "${CSV_INCLUDE_DIR}/csv.h" _csv_version_lines
       REGEX "^#define CSV_(MAJOR|MINOR|RELEASE) +[0-9]+")
  foreach(_part MAJOR MINOR RELEASE)
    string(REGEX REPLACE ".*#define CSV_${_part} +([0-9]+).*" "\\1" _csv_${_part}
                         "${_csv_version_lines}")
  endforeach()
  if(_csv_MAJOR MATCHES "^[0-9]+$")
    set(CSV_VERSION "${_csv_MAJOR}.${_csv_MINOR}.${_csv_RELEASE}")
  endif()
  unset(_csv_version_lines)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CSV
  REQUIRED_VARS CSV_LIBRARY CSV_INCLUDE_DIR CSV_VERSION
  VERSION_VAR CSV_VERSION
  FAIL_MESSAGE "libcsv not found: install Debian's libcsv-dev")

if(CSV_FOUND AND NOT TARGET CSV::CSV)
  add_library(CSV::CSV UNKNOWN IMPORTED)
  set_target_properties(CSV::CSV PROPERTIES
    IMPORTED_LOCATION "${CSV_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CSV_INCLUDE_DIR}")
endif()

mark_as_advanced(CSV_INCLUDE_DIR CSV_LIBRARY)
