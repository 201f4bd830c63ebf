#!/bin/sh
# expected-files.sh SOURCE_DIR: every regular file the Linux packages must
# hold, relative to the install prefix (/usr in the .deb, the top directory
# in the .tar.gz), sorted. The profiles come from SOURCE_DIR/policies, so a
# new profile is expected without editing this list.
set -eu
src=$1
{
  echo bin/mxc
  # the sandbox init, started by mxc (docs/design.md "Startup budget")
  echo libexec/mxc/mxc-init
  for p in "$src"/policies/*.toml; do echo "share/mxc/policies/$(basename "$p")"; done
  echo share/mxc/mxc.schema.json
  # gzipped, as Debian policy 12.1 asks (packaging/CMakeLists.txt)
  echo share/man/man1/mxc.1.gz
  echo share/man/man5/mxc-profile.5.gz
  echo share/doc/mxc/changelog.gz
  echo share/doc/mxc/examples/managed.toml
  echo share/bash-completion/completions/mxc
  echo share/zsh/vendor-completions/_mxc
  echo share/fish/vendor_completions.d/mxc.fish
} | LC_ALL=C sort
