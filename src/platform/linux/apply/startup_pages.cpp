#include "platform/linux/apply/startup_pages.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace mxc::lnx {
namespace {

// Linux 5.14 values; Debian 12's glibc headers predate them.
constexpr int kPopulateWrite = 23;  // MADV_POPULATE_WRITE

// The heap a run of `mxc exec` touches: for coding-agent, 346 KiB in use
// and a 557 KiB heap when the orders go, besides libstdc++'s 71 KiB
// emergency exception pool (allocated, never written). Populating a page
// costs 0.4-0.9 us here, a first-touch fault 10 us.
constexpr std::size_t kHeapBytes = 512 * 1024;
// Below glibc's mmap threshold (128 KiB), so that it comes from the heap and
// makes malloc grow it; freed at once.
constexpr std::size_t kHeapProbe = 120 * 1024;

// Whole pages around [begin, begin + len). The real page size: madvise
// refuses a start that is not page-aligned (16 or 64 KiB pages on arm64).
void populate(const char* begin, std::size_t len, int advice) {
    const long page_size = ::sysconf(_SC_PAGESIZE);
    const std::size_t page = page_size > 0 ? static_cast<std::size_t>(page_size) : 4096;
    const std::size_t head = reinterpret_cast<std::uintptr_t>(begin) % page;
    const std::size_t whole = (len + head + page - 1) / page * page;
    if (whole != 0) (void)::madvise(const_cast<char*>(begin - head), whole, advice);
}

// Makes malloc grow its heap by kHeapBytes beyond the next request (and keep
// that much when it trims), then maps the heap's free top (malloc's "top
// chunk", what mallinfo2 calls keepcost) writable.
void populate_heap() {
    if (::mallopt(M_TOP_PAD, static_cast<int>(kHeapBytes)) == 0) return;
    // volatile: a malloc whose block is never used may be optimised away.
    void* volatile probe = std::malloc(kHeapProbe);
    std::free(probe);
    const std::size_t top = ::mallinfo2().keepcost;
    void* const brk = ::sbrk(0);
    // Only a top about the size asked for (it ends at the break). sbrk
    // fails with the same (void*)-1 as mmap.
    if (top == 0 || top > kHeapProbe + 2 * kHeapBytes || brk == MAP_FAILED) return;
    const auto* brk_end = static_cast<const char*>(brk);
    populate(brk_end - top, top, kPopulateWrite);
}

}  // namespace

void premap_startup_pages() {
    populate_heap();
}

}  // namespace mxc::lnx
