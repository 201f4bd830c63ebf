# cmake -DDIR=<plan dir> -DSTAMP=<file> -P CheckPlanPurity.cmake
# Fails the build when a file of the Linux plan includes an apply/ header or
# libseccomp: the plan is a pure function of the policy and the host facts
# (docs/design.md), unit-tested by linking mxc_linux_plan alone.
file(GLOB files ${DIR}/*.cpp ${DIR}/*.hpp)
foreach(f IN LISTS files)
  file(STRINGS ${f} bad REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](platform/linux/apply/|seccomp\\.h)")
  if(bad)
    message(FATAL_ERROR "${f}: a plan file includes applier code: ${bad}")
  endif()
endforeach()
file(TOUCH ${STAMP})
