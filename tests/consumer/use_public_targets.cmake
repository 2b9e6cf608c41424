# use_public_targets(...) links the consumer program to userstream::<component> for every public target the package
# has, and tells main.cpp which ones through USERSTREAM_CONSUMER_HAS_<COMPONENT>.
#
# A public target that main.cpp does not know fails the check: "the consumer links every public target" stays true
# when a target is added only if whoever adds it also adds a use of it to main.cpp and its name here.
set(USERSTREAM_CONSUMER_KNOWN
  eventstore user core sqlite postgres stores subscriptions subscriptions_sqlite subscriptions_postgres projections
  projections_sqlite projections_postgres testing api)

# use_public_targets(<executable> INTERNAL <component>... PUBLIC <component>...): the INTERNAL ones (target property
# USERSTREAM_INTERNAL, see cmake/userstream_install.cmake) are exported only because static libraries link them; they
# are no API, so main.cpp neither uses nor links them.
function(use_public_targets executable)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "INTERNAL;PUBLIC")
  set(components ${arg_PUBLIC})
  if(arg_INTERNAL)
    list(REMOVE_ITEM components ${arg_INTERNAL})
  endif()
  list(SORT components)
  message(STATUS "userstream's public targets: ${components}")
  foreach(component IN LISTS components)
    if(NOT component IN_LIST USERSTREAM_CONSUMER_KNOWN)
      message(FATAL_ERROR "userstream::${component} is a public target that tests/consumer/main.cpp does not use: "
                          "add a use of it there, and its name to tests/consumer/use_public_targets.cmake")
    endif()
    string(TOUPPER "${component}" upper)
    target_compile_definitions(${executable} PRIVATE USERSTREAM_CONSUMER_HAS_${upper})
    target_link_libraries(${executable} PRIVATE userstream::${component})
  endforeach()
  foreach(required IN ITEMS eventstore user core)
    if(NOT required IN_LIST components)
      message(FATAL_ERROR "userstream::${required} is missing")
    endif()
  endforeach()
endfunction()
