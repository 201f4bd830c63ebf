// compile_seccomp / describe: which rules the default filter holds and which
// groups a profile can take back out.
#include <doctest/doctest.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <set>
#include <string>

#include "platform/linux/plan/seccomp_plan.hpp"

using mxc::lnx::compile_seccomp;
using mxc::lnx::SeccompPlan;
using mxc::lnx::SeccompRule;

namespace {

mxc::policy::ResolvedPolicy policy_allowing(std::initializer_list<const char*> groups) {
    mxc::policy::ResolvedPolicy p;
    for (const char* g : groups) p.seccomp.allow.push_back({g, {}});
    return p;
}

bool denies(const SeccompPlan& plan, const std::string& syscall) {
    return std::any_of(plan.denied.begin(), plan.denied.end(),
                       [&](const SeccompRule& r) { return r.syscall == syscall; });
}

std::set<std::string> groups_of(const SeccompPlan& plan) {
    std::set<std::string> g;
    for (const auto& r : plan.denied) g.insert(r.group);
    return g;
}

const SeccompRule* find_rule(const SeccompPlan& plan, const std::string& syscall,
                             const std::string& cond_part) {
    for (const auto& r : plan.denied)
        if (r.syscall == syscall && r.condition.find(cond_part) != std::string::npos) return &r;
    return nullptr;
}

}  // namespace

TEST_CASE("default filter denies every group and the never-allowable rules") {
    SeccompPlan plan = compile_seccomp({});
    CHECK(plan.allowed_back.empty());
    for (const char* s : {"ptrace",
                          "process_vm_readv",
                          "process_vm_writev",
                          "io_uring_setup",
                          "io_uring_enter",
                          "io_uring_register",
                          "bpf",
                          "keyctl",
                          "add_key",
                          "request_key",
                          "perf_event_open",
                          "userfaultfd",
                          "mount",
                          "umount2",
                          "pivot_root",
                          "open_tree",
                          "move_mount",
                          "fsopen",
                          "fsconfig",
                          "fsmount",
                          "fspick",
                          "mount_setattr",
                          "kexec_load",
                          "kexec_file_load",
                          "init_module",
                          "finit_module",
                          "delete_module",
                          "unshare",
                          "clone",
                          "clone3",
                          "socket",
                          "ioctl"}) {
        CAPTURE(s);
        CHECK(denies(plan, s));
    }
    std::set<std::string> expected(mxc::policy::kSeccompGroups.begin(), mxc::policy::kSeccompGroups.end());
    expected.insert("always");
    CHECK(groups_of(plan) == expected);
}

TEST_CASE("every rule belongs to a known group and every group has a rule") {
    SeccompPlan plan = compile_seccomp({});
    for (const auto& r : plan.denied) {
        CAPTURE(r.syscall);
        bool known =
            r.group == "always" ||
            std::find_if(mxc::policy::kSeccompGroups.begin(), mxc::policy::kSeccompGroups.end(),
                         [&](const char* g) { return r.group == g; }) != mxc::policy::kSeccompGroups.end();
        CHECK(known);
    }
}

TEST_CASE("TIOCSTI and TIOCLINUX compare only the low 32 bits of the ioctl request") {
    SeccompPlan plan = compile_seccomp({});
    const SeccompRule* sti = find_rule(plan, "ioctl", "TIOCSTI");
    const SeccompRule* linux_ = find_rule(plan, "ioctl", "TIOCLINUX");
    REQUIRE(sti != nullptr);
    REQUIRE(linux_ != nullptr);
    REQUIRE(sti->args.size() == 1);
    CHECK(sti->args[0].index == 1);
    CHECK(sti->args[0].mask == 0xffffffffULL);
    CHECK(sti->args[0].value == TIOCSTI);
    CHECK(linux_->args[0].value == TIOCLINUX);
    CHECK(sti->group == "always");
    CHECK(linux_->group == "always");
}

TEST_CASE("raw socket rules mask the socket type so SOCK_CLOEXEC cannot hide SOCK_RAW") {
    SeccompPlan plan = compile_seccomp({});
    int raw_rules = 0;
    for (const auto& r : plan.denied) {
        if (r.group != "raw_sockets") continue;
        ++raw_rules;
        REQUIRE(r.args.size() == 2);
        CHECK(r.args[1].index == 1);
        CHECK(r.args[1].mask == 0xf);
        CHECK(r.args[1].value == SOCK_RAW);
        CHECK((r.args[0].value == AF_INET || r.args[0].value == AF_INET6));
    }
    CHECK(raw_rules == 2);
}

TEST_CASE("clone3 returns ENOSYS so libc falls back to the filterable clone") {
    SeccompPlan plan = compile_seccomp({});
    const SeccompRule* c3 = find_rule(plan, "clone3", "");
    REQUIRE(c3 != nullptr);
    CHECK(c3->errno_value == ENOSYS);
    CHECK(c3->group == "userns");
    for (const auto& r : plan.denied)
        if (r.syscall != "clone3") CHECK(r.errno_value == EPERM);
}

TEST_CASE("allowing a group back removes exactly that group's rules") {
    SeccompPlan all = compile_seccomp({});
    SeccompPlan plan = compile_seccomp(policy_allowing({"ptrace"}));
    CHECK(plan.allowed_back == std::vector<std::string>{"ptrace"});
    CHECK_FALSE(denies(plan, "ptrace"));
    CHECK(denies(plan, "process_vm_readv"));
    CHECK(plan.denied.size() == all.denied.size() - 1);
}

TEST_CASE("allowing netlink keeps the other socket families denied") {
    SeccompPlan plan = compile_seccomp(policy_allowing({"netlink"}));
    CHECK(find_rule(plan, "socket", "AF_NETLINK") == nullptr);
    CHECK(find_rule(plan, "socket", "AF_PACKET") != nullptr);
    CHECK(find_rule(plan, "socket", "AF_VSOCK") != nullptr);
    CHECK(find_rule(plan, "socket", "SOCK_RAW") != nullptr);
}

TEST_CASE("allowing every group leaves only the never-allowable rules") {
    mxc::policy::ResolvedPolicy p;
    for (const char* g : mxc::policy::kSeccompGroups) p.seccomp.allow.push_back({g, {}});
    SeccompPlan plan = compile_seccomp(p);
    CHECK(plan.allowed_back.size() == mxc::policy::kSeccompGroups.size());
    CHECK(groups_of(plan) == std::set<std::string>{"always"});
    for (const char* s : {"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module"}) {
        CAPTURE(s);
        CHECK(denies(plan, s));
    }
    CHECK(find_rule(plan, "ioctl", "TIOCSTI") != nullptr);
    CHECK(find_rule(plan, "ioctl", "TIOCLINUX") != nullptr);
}

TEST_CASE("\"always\" and unknown names cannot allow anything back") {
    SeccompPlan plan = compile_seccomp(policy_allowing({"always", "kexec", "tiocsti", "nonsense"}));
    CHECK(plan.allowed_back.empty());
    CHECK(plan.denied.size() == compile_seccomp({}).denied.size());
}

TEST_CASE("describe prints one line per rule plus one per allowed-back group") {
    SeccompPlan plan = compile_seccomp(policy_allowing({"bpf", "ptrace"}));
    auto lines = mxc::lnx::describe(plan);
    CHECK(lines.size() == plan.denied.size() + 2);
    bool saw_tiocsti = false, saw_clone3 = false, saw_allow = false;
    for (const auto& l : lines) {
        CHECK(l.find('\n') == std::string::npos);
        if (l.find("TIOCSTI") != std::string::npos && l.find("EPERM") != std::string::npos)
            saw_tiocsti = true;
        if (l.find("clone3") != std::string::npos && l.find("ENOSYS") != std::string::npos) saw_clone3 = true;
        if (l.find("allow group ptrace") != std::string::npos) saw_allow = true;
    }
    CHECK(saw_tiocsti);
    CHECK(saw_clone3);
    CHECK(saw_allow);
}

// The command's child loads the filter before its last steps (a command
// standby, command_standby.hpp, does it while init builds the mount tree):
// every call those steps make must stay allowed by every filter a profile
// can get. unshare is denied only with CLONE_NEWUSER, which the child's
// unshare(CLONE_FILES|CLONE_FS) does not set.
TEST_CASE("the command's steps after the filter are calls no filter denies") {
    const SeccompPlan plan = compile_seccomp({});
    for (const char* s : {"capset",
                          "capget",
                          "prctl",
                          "landlock_create_ruleset",
                          "landlock_add_rule",
                          "landlock_restrict_self",
                          "chdir",
                          "close_range",
                          "close",
                          "openat",
                          "fcntl",
                          "prlimit64",
                          "setrlimit",
                          "rt_sigprocmask",
                          "rt_sigaction",
                          "execve",
                          "futex",
                          "write",
                          "exit",
                          "exit_group",
                          "mmap",
                          "munmap",
                          "brk",
                          "sched_setaffinity"}) {
        CAPTURE(s);
        CHECK_FALSE(denies(plan, s));
    }
    for (const auto& r : plan.denied) {
        if (r.syscall != "unshare") continue;
        REQUIRE(r.args.size() == 1);
        CHECK(r.args[0].index == 0);
        CHECK(r.args[0].mask == CLONE_NEWUSER);
        CHECK((r.args[0].mask & (CLONE_FILES | CLONE_FS)) == 0);
    }
}
