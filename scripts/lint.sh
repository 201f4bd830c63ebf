#!/usr/bin/env bash
# lint.sh BUILD_DIR: clang-format (check only), clang-tidy and cppcheck over
# src/, using BUILD_DIR/compile_commands.json. Fails on any finding.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
status=0
mapfile -t sources < <(git ls-files 'src/*.cpp' 'src/*.hpp' 2>/dev/null || find src -name '*.cpp' -o -name '*.hpp')
# Win32-only files (the Windows applier, *_windows.cpp) compile only with
# mingw; the cross build checks them with -Wall -Wextra -Werror.
mapfile -t native < <(printf '%s\n' "${sources[@]}" | grep '\.cpp$' |
  grep -v -e '^src/platform/windows/apply/' -e '_windows\.cpp$')

echo "lint: clang-format on ${#sources[@]} files"
if ! clang-format --dry-run --Werror "${sources[@]}" 2>/tmp/mxc-format.$$; then
  head -n 40 /tmp/mxc-format.$$; status=1
fi
rm -f /tmp/mxc-format.$$

echo "lint: clang-tidy on ${#native[@]} files"
if ! printf '%s\n' "${native[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet 2>/dev/null >/tmp/mxc-tidy.$$; then
  grep -E "warning:|error:" -A3 /tmp/mxc-tidy.$$ | head -n 80; status=1
fi
rm -f /tmp/mxc-tidy.$$

echo "lint: cppcheck"
if ! cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --inline-suppr \
     --std=c++20 --suppress=missingIncludeSystem --suppress=unknownMacro -I src -I "$build/generated" \
     "${native[@]}"; then
  status=1
fi
exit $status
