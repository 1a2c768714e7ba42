# soname.cmake -- what an optional library is called at run time
# (src/lib/dl.h): its SONAME, read from the library pkg-config found, and
# the Debian package that has that file, for the message when it is missing.

# sc_soname(PREFIX NAME SONAME_VAR PACKAGE_VAR): libNAME.so among
# ${PREFIX}_LINK_LIBRARIES (pkg_check_modules).
function(sc_soname prefix name soname_var package_var)
  set(path "")
  foreach(l IN LISTS ${prefix}_LINK_LIBRARIES)
    get_filename_component(base "${l}" NAME)
    if(base STREQUAL "lib${name}.so")
      set(path "${l}")
    endif()
  endforeach()
  if(NOT path)
    message(FATAL_ERROR "lib${name}.so is not among ${prefix}'s libraries: ${${prefix}_LINK_LIBRARIES}")
  endif()
  execute_process(COMMAND ${CMAKE_OBJDUMP} -p "${path}" OUTPUT_VARIABLE dump
                  RESULT_VARIABLE rc ERROR_QUIET)
  if(NOT rc EQUAL 0 OR NOT dump MATCHES "SONAME +([^ \n]+)")
    message(FATAL_ERROR "cannot read the SONAME of ${path} (objdump: ${CMAKE_OBJDUMP})")
  endif()
  set(soname "${CMAKE_MATCH_1}")
  get_filename_component(dir "${path}" DIRECTORY)
  set(package "the package that has ${soname}")
  execute_process(COMMAND dpkg-query -S "${dir}/${soname}" OUTPUT_VARIABLE owner
                  RESULT_VARIABLE rc ERROR_QUIET)
  if(rc EQUAL 0 AND owner MATCHES "^([a-z0-9][a-z0-9.+-]*)[:,]")
    set(package "${CMAKE_MATCH_1}")
  endif()
  message(STATUS "lib${name}: loaded at run time as ${soname} (${package})")
  set(${soname_var} "${soname}" PARENT_SCOPE)
  set(${package_var} "${package}" PARENT_SCOPE)
endfunction()
