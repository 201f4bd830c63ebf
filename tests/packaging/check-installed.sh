#!/bin/sh
# check-installed.sh PREFIX VERSION SOURCE_DIR: an unpacked package (PREFIX is
# ROOT/usr of a .deb, or the top directory of the .tar.gz) works as shipped:
# the binary reports the project version and runs a command with its
# installed sandbox init, every shipped profile passes
# `mxc check` and is one the binary has built in (the same bytes as
# policies/), the man pages render without groff warnings, the completions
# and the schema parse.
set -u
prefix=$1
version=$2
src=$3
mxc=$prefix/bin/mxc
fail=0
check() {  # check NAME STATUS
  if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$("$mxc" --version 2>&1)
[ "$out" = "mxc $version" ]
check "bin/mxc --version prints 'mxc $version' (got '$out')" $?

# The sandbox's init is the small program installed next to it
# (libexec/mxc/mxc-init, docs/design.md "Startup budget"), not a copy of mxc.
out=$(cd "$tmp" && "$mxc" exec -p default -- cat /proc/1/cmdline </dev/null 2>&1 | tr '\0' ' ')
case "$out" in
  "mxc-init "*) st=0 ;;
  *) st=1 ;;
esac
check "bin/mxc exec runs with libexec/mxc/mxc-init as the sandbox's pid 1 (got '$out')" $st

# The binary has its profiles built in; the copies under share/mxc/policies
# are for reading and for `extends` by path. Check them as files, and check
# that they are exactly the built-in set.
set -- "$prefix"/share/mxc/policies/*.toml
[ -f "$1" ]
check "share/mxc/policies holds profiles" $?
"$mxc" check "$@" >"$tmp/check" 2>&1
st=$?
[ "$st" -eq 0 ]
check "mxc check on every installed profile ($#) exits 0 (got $st)" $?
[ "$st" -eq 0 ] || cat "$tmp/check"

"$mxc" profiles | awk '{print $1}' | LC_ALL=C sort >"$tmp/builtin"
for f in "$@"; do basename "$f" .toml; done | LC_ALL=C sort >"$tmp/installed"
diff "$tmp/builtin" "$tmp/installed" >"$tmp/diff"
check "installed profiles are exactly the built-in ones (< built in only, > installed only)" $?
grep '^[<>]' "$tmp/diff" | sed 's/^/    /'
for f in "$@"; do
  name=$(basename "$f")
  cmp -s "$f" "$src/policies/$name"
  check "share/mxc/policies/$name is policies/$name" $?
  "$mxc" check "$(basename "$f" .toml)" >/dev/null 2>&1
  check "mxc check $(basename "$f" .toml) (the built-in) exits 0" $?
done

# The installed binary never lets the caller's environment choose the managed
# policy (docs/managed.md): a broken file named by $MXC_MANAGED_POLICY, which
# the build-tree binary would obey and refuse every run with, changes nothing.
printf 'schema = 1\nbroken = [\n' >"$tmp/managed.toml"
MXC_MANAGED_POLICY="$tmp/managed.toml" "$mxc" check default >/dev/null 2>&1
check "an installed mxc ignores \$MXC_MANAGED_POLICY" $?
# The example is shipped, valid, and not active.
example="$prefix/share/doc/mxc/examples/managed.toml"
grep -q '^schema = 1' "$example" 2>/dev/null
check "share/doc/mxc/examples/managed.toml is the example managed policy" $?

for page in "$prefix"/share/man/man1/mxc.1.gz "$prefix"/share/man/man5/mxc-profile.5.gz; do
  name=$(basename "$page")
  # -ww: every groff warning; -z: format, print nothing. Any stderr is a defect.
  gzip -dc "$page" | groff -man -Tutf8 -ww -z >"$tmp/groff" 2>&1
  st=$?
  [ "$st" -eq 0 ] && [ ! -s "$tmp/groff" ]
  check "$name renders with groff -man -ww without warnings" $?
  sed 's/^/    /' "$tmp/groff"
  if command -v man >/dev/null 2>&1; then
    LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >"$tmp/man" 2>"$tmp/manerr"
    st=$?
    [ "$st" -eq 0 ] && [ ! -s "$tmp/manerr" ] && grep -q '^NAME' "$tmp/man"
    check "man -l $name shows a NAME section, no warnings" $?
    sed 's/^/    /' "$tmp/manerr"
  fi
done

bash -n "$prefix/share/bash-completion/completions/mxc"
check "bash completion parses (bash -n)" $?
if command -v zsh >/dev/null 2>&1; then
  zsh -n "$prefix/share/zsh/vendor-completions/_mxc"
  check "zsh completion parses (zsh -n)" $?
fi
if command -v fish >/dev/null 2>&1; then
  fish -n "$prefix/share/fish/vendor_completions.d/mxc.fish"
  check "fish completion parses (fish -n)" $?
fi
# Every subcommand `mxc --help` lists is in the man page and in each
# completion (mxc log once was in none of them).
subcommands=$("$mxc" --help | sed -n '/^Subcommands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$subcommands" ]
check "mxc --help lists subcommands" $?
# The line of each completion that lists the subcommands.
completion_lists=$(grep -h -e '^ *local commands=' "$prefix/share/bash-completion/completions/mxc"
  grep -ho -e "1:command:([^)]*)" "$prefix/share/zsh/vendor-completions/_mxc"
  grep -h -e '^set -l cmds ' "$prefix/share/fish/vendor_completions.d/mxc.fish")
[ "$(printf '%s\n' "$completion_lists" | wc -l)" -eq 3 ]
check "each completion (bash, zsh, fish) has one list of subcommands" $?
for sub in $subcommands; do
  gzip -dc "$prefix/share/man/man1/mxc.1.gz" | grep -q "mxc $sub\b"
  check "mxc(1) documents 'mxc $sub'" $?
  [ "$(printf '%s\n' "$completion_lists" | grep -cw -- "$sub")" -eq 3 ]
  check "bash, zsh and fish completions offer '$sub'" $?
done

python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$prefix/share/mxc/mxc.schema.json"
check "share/mxc/mxc.schema.json is JSON" $?

exit "$fail"
