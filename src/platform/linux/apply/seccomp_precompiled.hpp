#pragma once
// Seccomp filters compiled at build time (issue 14; docs/design.md
// "Enforcement"). libseccomp takes about half a millisecond to compile a
// filter, on the startup critical path of every run. The filters of the
// built-in profiles and every variant of the connect broker's filter are
// compiled once by mxc_seccomp_gen during the build, with the same code and
// the same libseccomp, and a run loads those bytes. A plan that is not in
// the table (a profile that allows a group back) is compiled at run time,
// by the supervisor before clone, so the sandbox only ever loads bytes.
// Unit tests check that every entry equals what libseccomp produces now.
#include <span>
#include <string_view>

#include "common/result.hpp"
#include "platform/linux/apply/seccomp_bpf.hpp"
#include "platform/linux/apply/seccomp_filter.hpp"

namespace mxc::lnx {

struct PrecompiledFilter {
    std::string_view key;  // seccomp_key / broker_key of what was compiled
    std::span<const sock_filter> code;
};

// The table, defined in the generated seccomp_precompiled_data.cpp (empty
// when cross-compiling: the generator cannot run on the build host).
std::span<const PrecompiledFilter> precompiled_filters();

// The entry for `key`; an empty span when there is none.
std::span<const sock_filter> find_precompiled(std::string_view key);

// The filter one run loads: the table's bytes, or a program compiled now.
class BpfProgram {
public:
    BpfProgram() = default;
    explicit BpfProgram(std::span<const sock_filter> table) : table_(table) {}
    explicit BpfProgram(BpfCode compiled) : compiled_(std::move(compiled)) {}
    [[nodiscard]] std::span<const sock_filter> code() const {
        return table_.empty() ? std::span<const sock_filter>(compiled_) : table_;
    }
    [[nodiscard]] bool precompiled() const { return !table_.empty(); }

private:
    std::span<const sock_filter> table_;
    BpfCode compiled_;
};

// The default filter for `plan`: from the table when it is there, else
// compiled by libseccomp.
Result<BpfProgram> seccomp_program(const SeccompPlan& plan);

// The connect broker's filter (broker_filter.hpp), the same way.
Result<BpfProgram> broker_program(bool network, bool learning);

}  // namespace mxc::lnx
