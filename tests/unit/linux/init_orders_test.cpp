#include <doctest/doctest.h>

#include "platform/linux/apply/init_orders.hpp"
#include "platform/linux/apply/sandbox_spec.hpp"

using namespace mxc::lnx;

namespace {

// A spec as the supervisor builds it (supervisor.cpp, prepare_spec), over
// storage this fixture owns.
struct SpecFixture {
    LinuxPlan plan;
    std::vector<std::string> args{"/bin/sh", "-c", "echo 'a b'"};
    std::vector<std::string> env{"PATH=/usr/bin", "EMPTY="};
    BpfProgram seccomp{BpfCode{{0x20, 0, 0, 4}, {0x06, 0, 0, 0x7fff0000}}};
    BpfProgram broker{BpfCode{{0x06, 0, 0, 0x7fc00000}}};
    SandboxSpec spec;

    SpecFixture() {
        plan.uid = 1000;
        plan.gid = 1001;
        plan.new_net = true;
        plan.proxy.emplace();
        plan.proxy->port = 4567;
        plan.broker.emplace();
        plan.mounts.push_back(MountOp{MountKind::RootTmpfs, "", "/", true, "root", 0, ""});
        plan.mounts.push_back(MountOp{MountKind::BindRo, "/usr", "/usr", true, "read /usr (x:1:2)", 0, ""});
        plan.mounts.push_back(MountOp{MountKind::Generated, "", "/etc/hosts", false, "dns", 0,
                                      std::string("127.0.0.1 a\n\0b", 14)});
        plan.mounts.push_back(MountOp{MountKind::Tmp, "", "/tmp", true, "tmp", 1ULL << 40, ""});
        plan.landlock.enabled = true;
        plan.landlock.abi = 6;
        plan.landlock.handled_fs = 0xffff;
        plan.landlock.handled_net = 3;
        plan.landlock.scoped = 1;
        plan.landlock.rules.push_back(LandlockRule{"/usr", landlock_bits::kReadFile, true, "read /usr"});
        plan.rlimits.push_back(RlimitSetting{6, "RLIMIT_NPROC", 512, "limits.processes"});
        plan.cwd = "/work/ws";
        spec.plan = &plan;
        spec.seccomp = &seccomp;
        spec.broker = &broker;
        for (auto& a : args) spec.argv.push_back(a.data());
        spec.argv.push_back(nullptr);
        for (auto& e : env) spec.envp.push_back(e.data());
        spec.envp.push_back(nullptr);
        spec.path_env = "/usr/bin";
        spec.report_steps = true;
    }
};

bool same(const BpfCode& a, std::span<const sock_filter> b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].code != b[i].code || a[i].jt != b[i].jt || a[i].jf != b[i].jf || a[i].k != b[i].k)
            return false;
    }
    return true;
}

}  // namespace

TEST_CASE("init orders: everything init reads survives the round trip") {
    SpecFixture f;
    auto decoded = decode_init_orders(encode_init_orders(f.spec, 2));
    REQUIRE(decoded);
    const InitOrders& o = *decoded;
    CHECK(o.plan.uid == 1000);
    CHECK(o.plan.gid == 1001);
    CHECK(o.plan.new_net);
    REQUIRE(o.plan.proxy);
    CHECK(o.plan.proxy->port == 4567);
    CHECK(o.plan.broker.has_value());
    REQUIRE(o.plan.mounts.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
        const MountOp& a = f.plan.mounts[i];
        const MountOp& b = o.plan.mounts[i];
        CHECK(a.kind == b.kind);
        CHECK(a.source == b.source);
        CHECK(a.target == b.target);
        CHECK(a.is_dir == b.is_dir);
        CHECK(a.why == b.why);
        CHECK(a.size == b.size);
        CHECK(a.content == b.content);
    }
    CHECK(o.plan.landlock.enabled);
    CHECK(o.plan.landlock.abi == 6);
    CHECK(o.plan.landlock.handled_fs == 0xffff);
    CHECK(o.plan.landlock.handled_net == 3);
    CHECK(o.plan.landlock.scoped == 1);
    REQUIRE(o.plan.landlock.rules.size() == 1);
    CHECK(o.plan.landlock.rules[0].path == "/usr");
    CHECK(o.plan.landlock.rules[0].access == landlock_bits::kReadFile);
    REQUIRE(o.plan.rlimits.size() == 1);
    CHECK(o.plan.rlimits[0].resource == 6);
    CHECK(o.plan.rlimits[0].value == 512);
    CHECK(o.plan.rlimits[0].name == "RLIMIT_NPROC");
    CHECK(o.plan.cwd == "/work/ws");
    CHECK(o.argv == f.args);
    CHECK(o.env == f.env);
    CHECK(o.path_env == "/usr/bin");
    CHECK(same(o.seccomp, f.seccomp.code()));
    CHECK(same(o.broker, f.broker.code()));
    CHECK(o.report_steps);
    CHECK(o.go_fds == 2);
}

TEST_CASE("init orders: no proxy, no broker, empty lists") {
    SpecFixture f;
    f.plan.proxy.reset();
    f.plan.broker.reset();
    f.plan.mounts.clear();
    f.plan.landlock = LandlockPlan{};
    f.plan.rlimits.clear();
    f.spec.broker = nullptr;
    auto decoded = decode_init_orders(encode_init_orders(f.spec, 0));
    REQUIRE(decoded);
    CHECK_FALSE(decoded->plan.proxy.has_value());
    CHECK_FALSE(decoded->plan.broker.has_value());
    CHECK(decoded->plan.mounts.empty());
    CHECK_FALSE(decoded->plan.landlock.enabled);
    CHECK(decoded->broker.empty());
    CHECK(decoded->go_fds == 0);
}

TEST_CASE("init orders: every truncation and trailing garbage is refused") {
    SpecFixture f;
    const std::string bytes = encode_init_orders(f.spec, 0);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        INFO("cut at ", n);
        CHECK_FALSE(decode_init_orders(std::string_view(bytes).substr(0, n)));
    }
    CHECK_FALSE(decode_init_orders(bytes + "x"));
}

TEST_CASE("init orders: a huge count is refused without allocating it") {
    std::string bytes(8, '\0');
    // uid, gid, new_net, proxy, port, broker, then a mount count of 2^60.
    for (int i = 0; i < 5; ++i) bytes += std::string(8, '\0');
    const std::uint64_t huge = 1ULL << 60;
    bytes.append(reinterpret_cast<const char*>(&huge), sizeof huge);
    CHECK_FALSE(decode_init_orders(bytes));
}
