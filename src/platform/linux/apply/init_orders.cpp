#include "platform/linux/apply/init_orders.hpp"

#include <cstring>
#include <optional>
#include <span>

#include "platform/linux/apply/sandbox_spec.hpp"

namespace mxc::lnx {
namespace {

class Writer {
public:
    void u64(std::uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
    void str(std::string_view s) {
        u64(s.size());
        out_.append(s);
    }
    void bpf(std::span<const sock_filter> code) {
        u64(code.size());
        if (!code.empty()) out_.append(reinterpret_cast<const char*>(code.data()), code.size_bytes());
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

// Every read checks the remaining length; the first short one poisons the
// reader, so decode checks ok() once at the end.
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    std::uint64_t u64() {
        std::uint64_t v = 0;
        if (!take(sizeof v)) return 0;
        std::memcpy(&v, in_.data() + pos_ - sizeof v, sizeof v);
        return v;
    }
    std::string str() {
        const std::uint64_t n = u64();
        if (!take(n)) return {};
        return std::string(in_.substr(pos_ - n, n));
    }
    BpfCode bpf() {
        const std::uint64_t n = u64();
        if (n > in_.size() / sizeof(sock_filter) || !take(n * sizeof(sock_filter))) return {};
        BpfCode code(n);
        if (n != 0)
            std::memcpy(code.data(), in_.data() + pos_ - n * sizeof(sock_filter), n * sizeof(sock_filter));
        return code;
    }
    // A count of items that each take at least one u64: larger than what is
    // left means a corrupt stream, not a huge allocation.
    std::uint64_t count() {
        const std::uint64_t n = u64();
        if (n > (in_.size() - pos_) / sizeof(std::uint64_t)) ok_ = false;
        return ok_ ? n : 0;
    }
    [[nodiscard]] bool ok() const { return ok_ && pos_ == in_.size(); }

private:
    bool take(std::uint64_t n) {
        if (!ok_ || n > in_.size() - pos_) {
            ok_ = false;
            return false;
        }
        pos_ += n;
        return true;
    }
    std::string_view in_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

void put_strings(Writer& w, const std::vector<char*>& list) {
    std::uint64_t n = 0;
    for (const char* s : list) n += s != nullptr ? 1 : 0;
    w.u64(n);
    for (const char* s : list) {
        if (s != nullptr) w.str(s);
    }
}

std::vector<std::string> get_strings(Reader& r) {
    std::vector<std::string> out(r.count());
    for (auto& s : out) s = r.str();
    return out;
}

}  // namespace

std::string encode_init_orders(const SandboxSpec& spec, std::uint32_t go_fds) {
    const LinuxPlan& plan = *spec.plan;
    Writer w;
    w.u64(plan.uid);
    w.u64(plan.gid);
    w.u64(plan.new_net ? 1 : 0);
    w.u64(plan.proxy ? 1 : 0);
    w.u64(plan.proxy ? plan.proxy->port : 0);
    w.u64(plan.broker ? 1 : 0);
    w.u64(plan.mounts.size());
    for (const auto& m : plan.mounts) {
        w.u64(static_cast<std::uint64_t>(m.kind));
        w.str(m.source);
        w.str(m.target);
        w.u64(m.is_dir ? 1 : 0);
        w.str(m.why);
        w.u64(m.size);
        w.str(m.content);
    }
    const LandlockPlan& ll = plan.landlock;
    w.u64(ll.enabled ? 1 : 0);
    w.u64(static_cast<std::uint64_t>(ll.abi));
    w.u64(ll.handled_fs);
    w.u64(ll.handled_net);
    w.u64(ll.scoped);
    w.u64(ll.rules.size());
    for (const auto& r : ll.rules) {
        w.str(r.path);
        w.u64(r.access);
        w.u64(r.is_dir ? 1 : 0);
        w.str(r.why);
    }
    w.u64(plan.rlimits.size());
    for (const auto& r : plan.rlimits) {
        w.u64(static_cast<std::uint64_t>(r.resource));
        w.str(r.name);
        w.u64(r.value);
        w.str(r.why);
    }
    w.str(plan.cwd);
    put_strings(w, spec.argv);
    put_strings(w, spec.envp);
    w.str(spec.path_env);
    w.bpf(spec.seccomp != nullptr ? spec.seccomp->code() : std::span<const sock_filter>());
    w.bpf(spec.broker != nullptr ? spec.broker->code() : std::span<const sock_filter>());
    w.u64(spec.report_steps ? 1 : 0);
    w.u64(go_fds);
    return w.take();
}

Result<InitOrders> decode_init_orders(std::string_view bytes) {
    Reader r(bytes);
    InitOrders o;
    LinuxPlan& plan = o.plan;
    plan.uid = static_cast<unsigned>(r.u64());
    plan.gid = static_cast<unsigned>(r.u64());
    plan.new_net = r.u64() != 0;
    const bool proxy = r.u64() != 0;
    const auto port = static_cast<std::uint16_t>(r.u64());
    if (proxy) {
        plan.proxy.emplace();
        plan.proxy->port = port;
    }
    if (r.u64() != 0) plan.broker.emplace();
    plan.mounts.resize(r.count());
    for (auto& m : plan.mounts) {
        const std::uint64_t kind = r.u64();
        if (kind > static_cast<std::uint64_t>(MountKind::LearnView))
            return make_error("init orders: bad mount kind");
        m.kind = static_cast<MountKind>(kind);
        m.source = r.str();
        m.target = r.str();
        m.is_dir = r.u64() != 0;
        m.why = r.str();
        m.size = r.u64();
        m.content = r.str();
    }
    LandlockPlan& ll = plan.landlock;
    ll.enabled = r.u64() != 0;
    ll.abi = static_cast<int>(r.u64());
    ll.handled_fs = r.u64();
    ll.handled_net = r.u64();
    ll.scoped = r.u64();
    ll.rules.resize(r.count());
    for (auto& rule : ll.rules) {
        rule.path = r.str();
        rule.access = r.u64();
        rule.is_dir = r.u64() != 0;
        rule.why = r.str();
    }
    plan.rlimits.resize(r.count());
    for (auto& lim : plan.rlimits) {
        lim.resource = static_cast<int>(r.u64());
        lim.name = r.str();
        lim.value = r.u64();
        lim.why = r.str();
    }
    plan.cwd = r.str();
    o.argv = get_strings(r);
    o.env = get_strings(r);
    o.path_env = r.str();
    o.seccomp = r.bpf();
    o.broker = r.bpf();
    o.report_steps = r.u64() != 0;
    o.go_fds = static_cast<std::uint32_t>(r.u64());
    if (!r.ok()) return make_error("init orders: truncated or corrupt");
    return o;
}

}  // namespace mxc::lnx
