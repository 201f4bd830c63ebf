#pragma once
// The supervisor's first step: map, in one call each, the pages a run touches
// anyway (the code of mxc and libc, a first stretch of heap) instead of
// taking one page fault at a time. Where page tables are shadowed by a
// hypervisor every fault is a trap costing 10-20 us, and a run of mxc took
// about 200 of them; a single populate call maps the same pages for a
// fraction of that (docs/design.md "Startup budget", docs/performance.md).
// On bare metal the two cost about the same.
//
// Best effort by design: a kernel without MADV_POPULATE_READ/WRITE (before
// 5.14) refuses the call and the pages fault in as before. Call it while the
// process is single-threaded.
namespace mxc::lnx {

void premap_startup_pages();

}  // namespace mxc::lnx
