# FindXXHASH: xxHash (Debian: libxxhash-dev), the checksum of the record
# cache (docs/records.md, "The record cache"). Debian's package ships a
# pkg-config file but no CMake config, hence this module.
#
# Defines XXHASH_FOUND, XXHASH_INCLUDE_DIR, XXHASH_LIBRARY, XXHASH_VERSION and
# the imported target XXHASH::XXHASH.

find_path(XXHASH_INCLUDE_DIR NAMES xxhash.h)
find_library(XXHASH_LIBRARY NAMES xxhash)

if(XXHASH_INCLUDE_DIR AND EXISTS "${XXHASH_INCLUDE_DIR}/xxhash.h")
  file(STRINGS "${XXHASH_INCLUDE_DIR}/xxhash.h" _xxh_version_lines
       REGEX "^#define XXH_VERSION_(MAJOR|MINOR|RELEASE) +[0-9]+")
  foreach(_part MAJOR MINOR RELEASE)
    string(REGEX REPLACE ".*#define XXH_VERSION_${_part} +([0-9]+).*" "\\1" _xxh_${_part}
                         "${_xxh_version_lines}")
  endforeach()
  if(_xxh_MAJOR MATCHES "^[0-9]+$")
    set(XXHASH_VERSION "${_xxh_MAJOR}.${_xxh_MINOR}.${_xxh_RELEASE}")
  endif()
  unset(_xxh_version_lines)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(XXHASH
  REQUIRED_VARS XXHASH_LIBRARY XXHASH_INCLUDE_DIR XXHASH_VERSION
  VERSION_VAR XXHASH_VERSION
  FAIL_MESSAGE "xxHash not found: install Debian's libxxhash-dev")

if(XXHASH_FOUND AND NOT TARGET XXHASH::XXHASH)
  add_library(XXHASH::XXHASH UNKNOWN IMPORTED)
  set_target_properties(XXHASH::XXHASH PROPERTIES
    IMPORTED_LOCATION "${XXHASH_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${XXHASH_INCLUDE_DIR}")
endif()

mark_as_advanced(XXHASH_INCLUDE_DIR XXHASH_LIBRARY)
