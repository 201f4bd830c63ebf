#pragma once
// The supervisor's last step: leave the unmapping of its address space to a
// helper, so that whoever waits for mxc (a shell, a build tool) sees it exit
// sooner. An exiting process frees every page it mapped before its parent can
// reap it: for mxc that is its premapped code and heap (startup_pages.hpp),
// about 0.5 ms where page tables are shadowed by a hypervisor. A process that
// shares the address space (CLONE_VM) keeps it alive, so mxc's own exit only
// drops a reference; the helper, killed as mxc exits (parent-death signal),
// frees it on the other core (docs/design.md "Startup budget").
//
// The helper holds no file: it unshares and closes its descriptor table
// first, so a pipe's reader sees EOF when mxc exits, as before. It is not a
// waitable child (no exit signal) and never outlives mxc by more than its own
// exit. Best effort: if it cannot be started, mxc exits the ordinary way.
namespace mxc::lnx {

// Call it last, after everything the run must finish (audit, cleanup of the
// host) is done and right before exit.
void hand_off_teardown();

}  // namespace mxc::lnx
