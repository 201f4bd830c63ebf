// Property (issue "boundary integrity"): for each built-in profile, run 1
// (under coding-agent, the widest writer of the built-ins) plants a symlink
// to / at every rule path of that profile that lies inside a writable area,
// which also creates every missing protected path; run 2's plan then grants
// nothing the plan of the clean host did not: every bind lies within a bind
// of the clean plan with at least the same restriction, every symlink it
// recreates was in the clean plan, and every mask of the clean plan is still
// there (or its path is now the planted link, which grants nothing).
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "escape_support.hpp"

using mxc::escape::Scene;

namespace {

struct Op {
    std::string kind, target;
};

mxc::test::RunResult run_mxc(const Scene& s, const std::vector<std::string>& args) {
    mxc::test::RunSpec spec;
    spec.argv = {"/usr/bin/env", "HOME=" + s.home, MXC_BINARY};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = s.ws;
    spec.timeout = std::chrono::seconds(60);
    return mxc::test::run(spec);
}

// The "mounts:" section of `mxc exec --dry-run`: "  KIND TARGET    # why".
std::vector<Op> plan_of(const Scene& s, const std::string& profile) {
    auto r = run_mxc(s, {"exec", "-p", profile, "-w", s.ws, "--dry-run", "--", "true"});
    INFO("dry-run stderr: ", r.err);
    REQUIRE(r.status == 0);
    std::vector<Op> ops;
    std::istringstream in(r.out);
    std::string line;
    bool in_mounts = false;
    while (std::getline(in, line)) {
        if (line == "mounts:") {
            in_mounts = true;
            continue;
        }
        if (!in_mounts) continue;
        if (line.rfind("  ", 0) != 0) break;
        std::istringstream words(line);
        Op op;
        words >> op.kind >> op.target;
        ops.push_back(op);
    }
    REQUIRE_FALSE(ops.empty());
    return ops;
}

bool same_or_under(const std::string& path, const std::string& dir) {
    if (dir == "/") return true;
    return path == dir ||
           (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

std::vector<std::pair<std::string, std::string>> rules_of(const Scene& s, const std::string& profile) {
    auto r = run_mxc(s, {"explain", "-p", profile, "-w", s.ws, "--json"});
    INFO("explain stderr: ", r.err);
    REQUIRE(r.status == 0);
    std::vector<std::pair<std::string, std::string>> rules;
    const nlohmann::json explained = nlohmann::json::parse(r.out);  // outlives the loop below
    for (const auto& rule : explained.at("filesystem")) {
        rules.emplace_back(rule.at("path").get<std::string>(), rule.at("access").get<std::string>());
    }
    return rules;
}

bool is_link(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace

TEST_SUITE("escape") {
    TEST_CASE("links planted at every rule path of every built-in profile widen no later plan") {
        for (const std::string profile : {"default", "coding-agent", "build", "offline-build", "readonly"}) {
            CAPTURE(profile);
            Scene s;
            // The caches and dotfiles a real home has, so write and read rules apply.
            for (const char* rel :
                 {".cache/pip/x", ".cache/ccache/x", ".cache/sccache/x", ".cache/go-build/x",
                  ".cargo/registry/x", ".cargo/git/x", ".cargo/bin/x", ".cargo/env", ".npm/x", "go/pkg/mod/x",
                  ".m2/repository/x", ".gradle/caches/x", ".gitconfig", ".config/git/config", ".bashrc",
                  ".profile"}) {
                s.plant("home/" + std::string(rel), "x\n");
            }
            s.plant("ws/.envrc", "echo hi\n");
            const std::vector<Op> clean = plan_of(s, profile);

            // Writable areas of the widest writer, and the target profile's rules.
            std::vector<std::string> writable;
            for (const auto& [path, access] : rules_of(s, "coding-agent")) {
                if (access == "write" && path.rfind("/tmp/", 0) != 0) writable.push_back(path);
            }
            std::string script;
            int planted = 0;
            for (const auto& [path, access] : rules_of(s, profile)) {
                bool inside = false;
                for (const auto& w : writable) inside = inside || (path != w && same_or_under(path, w));
                if (!inside) continue;
                const std::string q = quoted(path);
                script += "rm -rf " + q + " 2>/dev/null; mkdir -p \"$(dirname " + q +
                          ")\" 2>/dev/null; ln -s / " + q + " 2>/dev/null; ";
                ++planted;
            }
            CHECK(planted > 0);
            s.profile = "coding-agent";
            auto r1 = s.inside({"-c", script + "true"}, "/bin/sh");
            REQUIRE_MESSAGE(r1.status == 0, r1.err);

            const std::vector<Op> after = plan_of(s, profile);
            for (const auto& op : after) {
                CAPTURE(op.kind);
                CAPTURE(op.target);
                if (op.kind == "bind-ro" || op.kind == "bind-rw") {
                    bool covered = false;
                    for (const auto& c : clean) {
                        const bool bind =
                            c.kind == "bind-rw" || (c.kind == "bind-ro" && op.kind == "bind-ro");
                        covered = covered || (bind && same_or_under(op.target, c.target));
                    }
                    CHECK_MESSAGE(covered, "run 2 binds what the clean plan did not");
                } else if (op.kind == "symlink") {
                    bool known = false;
                    for (const auto& c : clean)
                        known = known || (c.kind == "symlink" && c.target == op.target);
                    CHECK_MESSAGE(known, "run 2 recreates a link the clean plan did not have");
                }
            }
            for (const auto& c : clean) {
                if (c.kind != "mask-dir" && c.kind != "mask-file") continue;
                bool kept = false;
                for (const auto& op : after)
                    kept = kept || (op.kind.rfind("mask-", 0) == 0 && op.target == c.target);
                CAPTURE(c.target);
                CHECK_MESSAGE((kept || is_link(c.target)), "a mask of the clean plan is gone");
            }
        }
    }
}
