# userstream_protoc_cpp(<sources_var> OUT <dir> IMPORTS <dir>... FILES <file>...)
#
# protoc's C++ for our own .proto files, generated at build time: each FILE is a path relative to the first of IMPORTS
# that holds it (also its name in the descriptor pool, e.g. "zitadel/user/v2/phone.proto"), and becomes
# <OUT>/<file without .proto>.pb.cc and .pb.h. <sources_var> receives the .pb.cc files. Generated code is protobuf's,
# not ours, so it compiles without our warning flags. Needs USERSTREAM_PROTOC (src/api finds it).
function(userstream_protoc_cpp sources_var)
  cmake_parse_arguments(arg "" "OUT" "IMPORTS;FILES" ${ARGN})
  set(import_flags "")
  foreach(dir IN LISTS arg_IMPORTS)
    list(APPEND import_flags -I ${dir})
  endforeach()
  set(sources "")
  foreach(proto IN LISTS arg_FILES)
    set(path "")
    foreach(dir IN LISTS arg_IMPORTS)
      if(NOT path AND EXISTS ${dir}/${proto})
        set(path ${dir}/${proto})
      endif()
    endforeach()
    if(NOT path)
      message(FATAL_ERROR "userstream_protoc_cpp: ${proto} is in none of ${arg_IMPORTS}")
    endif()
    string(REGEX REPLACE "\\.proto$" "" stem "${proto}")
    add_custom_command(
      OUTPUT ${arg_OUT}/${stem}.pb.cc ${arg_OUT}/${stem}.pb.h
      COMMAND ${CMAKE_COMMAND} -E make_directory ${arg_OUT}
      COMMAND ${USERSTREAM_PROTOC} ${import_flags} --cpp_out=${arg_OUT} ${path}
      DEPENDS ${path}
      COMMENT "protoc ${proto}"
      VERBATIM)
    list(APPEND sources ${arg_OUT}/${stem}.pb.cc)
  endforeach()
  set_source_files_properties(${sources} PROPERTIES COMPILE_OPTIONS "-w")
  set(${sources_var} ${sources} PARENT_SCOPE)
endfunction()
