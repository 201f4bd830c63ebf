#pragma once
// The supervisor's first step: map, in one call, a first stretch of heap a
// run writes anyway instead of taking one page fault at a time. Where page
// tables are shadowed by a hypervisor every fault is a trap costing 10-20
// us; a single populate call maps the same pages for a fraction of that
// (docs/design.md "Startup budget", docs/performance.md). On bare metal the
// two cost about the same. Code is not premapped any more: mapping all of
// mxc's and libc's (4.8 MB) cost more at startup and at exit than the faults
// it saved, once the rest of the start had been made shorter (session 15).
//
// Best effort by design: a kernel without MADV_POPULATE_WRITE (before 5.14)
// refuses the call and the pages fault in as before. Call it while the
// process is single-threaded.
namespace mxc::lnx {

void premap_startup_pages();

}  // namespace mxc::lnx
