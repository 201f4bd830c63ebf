// `mxc learn` end to end (issue 13): for each real tool, the command fails
// under BASE alone (control), `mxc learn` writes a profile that `mxc check`
// accepts and `mxc explain` traces to its lines, the command succeeds under
// that profile with the output of a bare run, and learning left the host as
// it was. Each learned profile is printed (MESSAGE) for the closing note.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "learn_support.hpp"
#include "support/host_address.hpp"

namespace fs = std::filesystem;
using namespace mxc::learn_test;
using mxc::test::own_address;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// The learned rule that grants path: present, and narrower than the whole
// home directory (the issue: "collapsed to sensible roots", never all of ~).
const LearnedRule* expect_rule(const Scene& scene, const LearnResult& learned, const std::string& path,
                               const std::string& access) {
    const LearnedRule* rule = rule_covering(learned.rules, path);
    CHECK_MESSAGE(rule != nullptr, "no learned rule grants ", scene.tilde(path));
    if (rule == nullptr) return nullptr;
    CHECK_MESSAGE(!is_at_or_below(scene.home, rule->path), "learned rule ", rule->path, " for ",
                  scene.tilde(path), " grants the whole home directory (or more)");
    if (access == "write")
        CHECK_MESSAGE(rule->access == "write", "learned rule ", rule->path, " is ", rule->access,
                      ", but the command wrote ", scene.tilde(path));
    return rule;
}

void expect_comment_names(const LearnResult& learned, const LearnedRule* rule, const std::string& program) {
    if (rule == nullptr) return;
    const std::string comment = comment_of(learned.profile, *rule);
    CHECK_MESSAGE(comment.find(program) != std::string::npos, "the comment of learned rule ", rule->path,
                  " does not name ", program, ": \"", comment, "\"");
}

// A host TCP service on every address, port chosen by the kernel: greets
// each client and closes.
class Greeter {
public:
    Greeter() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 16) == 0);
        socklen_t len = sizeof addr;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] {
            for (;;) {
                const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
                if (c < 0) return;  // shutdown() below
                static const char kHello[] = "hello from the host\n";
                (void)!::write(c, kHello, sizeof kHello - 1);
                ::close(c);
            }
        });
    }
    ~Greeter() {
        ::shutdown(fd_, SHUT_RDWR);
        thread_.join();
        ::close(fd_);
    }
    Greeter(const Greeter&) = delete;
    Greeter& operator=(const Greeter&) = delete;
    [[nodiscard]] std::string port() const { return std::to_string(port_); }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

}  // namespace

// Test names have no commas: doctest splits --test-case filters at commas.
TEST_SUITE("learn") {
    TEST_CASE("a Python script that reads ~/data and writes ./out: learned and run under the profile") {
        Scene s;
        s.plant("home/data/input.csv", "3,4,5\n");
        s.plant("ws/script.py",
                "import os\n"
                "with open(os.path.expanduser('~/data/input.csv')) as f:\n"
                "    nums = [int(x) for x in f.read().strip().split(',')]\n"
                "os.makedirs('out', exist_ok=True)\n"
                "with open('out/result.txt', 'w') as f:\n"
                "    f.write(str(sum(nums)) + '\\n')\n"
                "print('sum', sum(nums))\n");
        const std::vector<std::string> cmd{"/usr/bin/python3", "script.py"};
        const std::string out_dir = s.ws + "/out";

        const LearnResult learned = control_then_learn(s, cmd);
        report(learned);
        const LearnedRule* rule = expect_rule(s, learned, s.home + "/data/input.csv", "read");
        expect_comment_names(learned, rule, "python3");
        CHECK_MESSAGE(rule_covering(learned.rules, out_dir + "/result.txt") == nullptr,
                      "./out is in BASE's workspace rule: nothing to learn for it");

        fs::remove_all(out_dir);
        const auto inside = run_learned(s, cmd);
        CHECK(mxc::test::read_file(out_dir + "/result.txt") == "12\n");
        fs::remove_all(out_dir);
        const auto bare = run_bare(s, cmd);
        CHECK(bare.out == "sum 12\n");
        CHECK(inside.out == bare.out);
    }

    TEST_CASE(
        "git status and git log of a repository under ~ with ~/.gitconfig: learned with the same output") {
        Scene s;
        const std::string repo = s.mkdir("home/repo");
        for (int i = 1; i <= 3; ++i)
            s.plant("home/repo/f" + std::to_string(i) + ".txt", std::to_string(i) + "\n");
        const std::string setup =
            "set -e; export GIT_AUTHOR_NAME=Learner GIT_AUTHOR_EMAIL=l@example.invalid "
            "GIT_COMMITTER_NAME=Learner GIT_COMMITTER_EMAIL=l@example.invalid "
            "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z; "
            "cd \"$HOME/repo\"; git init -q -b main .; "
            "for i in 1 2 3; do git add f$i.txt; git commit -q -m \"commit $i\"; done; "
            "echo changed > f2.txt; echo new > untracked.txt";
        const auto made = s.bare({"/bin/sh", "-c", setup});
        REQUIRE_MESSAGE(made.status == 0, "creating the repository failed: ", made.err);
        // Read by git from ~: changes both outputs, so a profile that missed
        // it would run but print something else.
        s.plant("home/.gitconfig",
                "[format]\n\tpretty = format:%h %s <%an>%n\n[status]\n\tshowUntrackedFiles = no\n");
        const std::vector<std::string> cmd{
            "/bin/sh", "-c", "git -C \"$HOME/repo\" status --short --branch && git -C \"$HOME/repo\" log"};

        const LearnResult learned = control_then_learn(s, cmd);
        report(learned);
        const LearnedRule* repo_rule = expect_rule(s, learned, repo + "/.git/HEAD", "read");
        expect_comment_names(learned, repo_rule, "git");
        const LearnedRule* config_rule = expect_rule(s, learned, s.home + "/.gitconfig", "read");
        expect_comment_names(learned, config_rule, "git");

        const auto inside = run_learned(s, cmd);
        const auto bare = run_bare(s, cmd);
        CHECK(bare.out.find(" M f2.txt") != std::string::npos);
        CHECK(bare.out.find("untracked.txt") == std::string::npos);  // ~/.gitconfig was read
        CHECK(bare.out.find("commit 1 <Learner>") != std::string::npos);
        CHECK(inside.out == bare.out);
    }

    TEST_CASE("npm test of a local package whose dependency lives under ~: learned with the same output") {
        Scene s;
        s.plant("ws/package.json",
                "{\n  \"name\": \"learn-npm-demo\",\n  \"version\": \"1.0.0\",\n  \"private\": true,\n"
                "  \"dependencies\": { \"greet\": \"file:../home/lib/greet\" },\n"
                "  \"scripts\": { \"test\": \"node test.js\" }\n}\n");
        s.plant("ws/test.js",
                "const assert = require('assert');\n"
                "const greet = require('greet');\n"
                "assert.strictEqual(greet('mxc'), 'hello, mxc');\n"
                "console.log('1 test passed:', greet('mxc'));\n");
        // No network in this suite: no update check, no audit, no funding call.
        s.plant("ws/.npmrc", "update-notifier=false\naudit=false\nfund=false\n");
        const std::string greet = s.mkdir("home/lib/greet");
        s.plant("home/lib/greet/package.json",
                "{ \"name\": \"greet\", \"version\": \"1.0.0\", \"main\": \"index.js\" }\n");
        s.plant("home/lib/greet/index.js", "module.exports = (who) => 'hello, ' + who;\n");
        // What `npm install` makes of a file: dependency: a link into node_modules.
        s.symlink(greet, "ws/node_modules/greet");
        const std::vector<std::string> cmd{"/usr/bin/npm", "test"};

        const LearnResult learned = control_then_learn(s, cmd);
        report(learned);
        const LearnedRule* rule = expect_rule(s, learned, greet + "/index.js", "read");
        expect_comment_names(learned, rule, "node");

        const auto inside = run_learned(s, cmd);
        const auto bare = run_bare(s, cmd);
        CHECK(bare.out.find("1 test passed: hello, mxc") != std::string::npos);
        CHECK(inside.out == bare.out);
    }

    TEST_CASE("make with ccache writing ~/.cache/ccache: learned as a write rule and the cache is used") {
        Scene s;
        s.plant("ws/Makefile",
                "CC = ccache gcc\n"
                "all: hello\n\t./hello\n"
                "hello: hello.o\n\t$(CC) -o $@ $^\n"
                "hello.o: hello.c\n\t$(CC) -c -o $@ $<\n");
        s.plant("ws/hello.c",
                "#include <stdio.h>\nint main(void) { puts(\"hello from make\"); return 0; }\n");
        // A user of ccache has its directory; ccache reads its config there.
        const std::string cache = s.mkdir("home/.cache/ccache");
        s.plant("home/.cache/ccache/ccache.conf", "max_size = 100M\n");
        // A ccache setting the caller has and BASE withholds: proposed by
        // name, commented out, its value never recorded.
        s.env["CCACHE_MAXSIZE"] = "123M";
        const std::vector<std::string> cmd{"/usr/bin/make", "--no-print-directory"};
        const auto clean = [&] {
            fs::remove(s.ws + "/hello");
            fs::remove(s.ws + "/hello.o");
        };
        const auto cache_entries = [&] {
            std::size_t n = 0;
            for (const auto& e : fs::recursive_directory_iterator(cache))
                if (e.is_regular_file() && e.path().filename() != "ccache.conf") ++n;
            return n;
        };

        const LearnResult learned = control_then_learn(s, cmd);
        report(learned);
        CHECK_MESSAGE(cache_entries() == 0, "ccache's writes while learning reached the host cache");
        const LearnedRule* rule = expect_rule(s, learned, cache + "/ccache.conf", "write");
        expect_comment_names(learned, rule, "ccache");
        bool proposed = false;
        for (const auto& line : lines_of(learned.profile)) {
            if (line.find("\"CCACHE_MAXSIZE\"") == std::string::npos) continue;
            CHECK_MESSAGE(line.find_first_not_of(" \t") == line.find('#'),
                          "CCACHE_MAXSIZE is passed, not proposed: ", line);
            proposed = true;
        }
        CHECK_MESSAGE(proposed, "the withheld CCACHE_MAXSIZE is not proposed as a commented-out pass line");
        CHECK_MESSAGE(learned.profile.find("123M") == std::string::npos,
                      "the learned profile holds a variable's value");

        clean();
        const auto inside = run_learned(s, cmd);
        CHECK_MESSAGE(cache_entries() > 0, "under the learned profile ccache stored nothing in ", cache);
        clean();
        const auto bare = run_bare(s, cmd);
        CHECK(bare.out.find("hello from make") != std::string::npos);
        CHECK(inside.out == bare.out);
    }

    TEST_CASE(
        "a program that tries ~/.ssh/id_rsa: denied and not learned and still unreadable under the profile") {
        Scene s;
        const std::string key = s.plant(
            "home/.ssh/id_rsa", std::string("-----BEGIN OPENSSH PRIVATE KEY-----\n") + kSecret + "\n", 0600);
        s.plant("home/.config/keytool/settings", "profile=work\n");
        s.plant("ws/keytool.sh",
                "# Needs its settings; takes the user's SSH key when it can.\n"
                "settings=$(cat \"$HOME/.config/keytool/settings\") || exit 3\n"
                "echo \"settings: $settings\"\n"
                "if key=$(cat \"$HOME/.ssh/id_rsa\" 2>/dev/null) && [ -n \"$key\" ]; then\n"
                "  echo 'id_rsa: readable'; echo \"$key\"\n"
                "else\n"
                "  echo 'id_rsa: unreadable'\n"
                "fi\n");
        const std::vector<std::string> cmd{"/bin/sh", "keytool.sh"};

        const LearnResult learned = control_then_learn(s, cmd);
        report(learned);
        expect_rule(s, learned, s.home + "/.config/keytool/settings", "read");
        for (const auto& rule : learned.rules)
            CHECK_MESSAGE(!is_at_or_below(rule.path, s.home + "/.ssh"),
                          "learned a rule under ~/.ssh: ", rule.path);
        CHECK_MESSAGE(lower(learned.summary).find("not learned") != std::string::npos,
                      "the summary lists nothing as \"denied, not learned\":\n", learned.summary);
        const bool names_key =
            mentions(s, learned.summary, key) || mentions(s, learned.summary, s.home + "/.ssh");
        CHECK_MESSAGE(names_key, "the summary does not name ~/.ssh/id_rsa as denied:\n", learned.summary);
        CHECK_MESSAGE(learned.summary.find("id_rsa: unreadable") != std::string::npos,
                      "the key was readable while learning:\n", learned.summary);

        const auto inside = run_learned(s, cmd);
        CHECK(inside.out == "settings: profile=work\nid_rsa: unreadable\n");
        CHECK(inside.out.find(kSecret) == std::string::npos);
        // Control: the same program does read the key outside mxc.
        const auto bare = run_bare(s, cmd);
        CHECK(bare.out.find("id_rsa: readable") != std::string::npos);
        CHECK(bare.out.find(kSecret) != std::string::npos);
    }

    TEST_CASE(
        "a tool that writes ~/.toolstate and /var/tmp outside the workspace: throwaway while learning") {
        Scene s;
        const std::string state = s.plant("home/.toolstate/x", "first run\n");
        const std::string fresh = s.home + "/.toolstate/new";
        const std::string shared = s.mkdir("shared");
        const std::string shared_file = shared + "/y";
        s.plant("ws/toolstate.sh",
                "set -e\n"
                "echo run >> \"$HOME/.toolstate/x\"\n"
                "echo new > \"$HOME/.toolstate/new\"\n"
                "echo shared > '" +
                    shared_file +
                    "'\n"
                    "echo 'state saved'\n");
        const std::vector<std::string> cmd{"/bin/sh", "toolstate.sh"};

        // control_then_learn also compares everything outside the workspace
        // before and after learning; these name the three writes.
        const LearnResult learned = control_then_learn(s, cmd);
        report(learned);
        CHECK(mxc::test::read_file(state) == "first run\n");
        CHECK_MESSAGE(!fs::exists(fresh), fresh, " exists on the host after learning");
        CHECK_MESSAGE(!fs::exists(shared_file), shared_file, " exists on the host after learning");
        CHECK_MESSAGE(lower(learned.summary).find("throwaway") != std::string::npos,
                      "the summary says nothing about the throwaway layer:\n", learned.summary);
        for (const auto& written : {state, fresh, shared_file}) {
            const bool listed = mentions(s, learned.summary, written) ||
                                mentions(s, learned.summary, fs::path(written).parent_path().string());
            CHECK_MESSAGE(listed, "the summary does not list ", s.tilde(written), " as written:\n",
                          learned.summary);
        }
        expect_rule(s, learned, state, "write");
        expect_rule(s, learned, shared_file, "write");

        // The learned write rules are real: the tool now writes the host.
        const auto inside = run_learned(s, cmd);
        CHECK(mxc::test::read_file(state) == "first run\nrun\n");
        CHECK(mxc::test::read_file(shared_file) == "shared\n");
        const auto bare = run_bare(s, cmd);
        CHECK(inside.out == bare.out);
        CHECK(bare.out == "state saved\n");
    }

    TEST_CASE(
        "a client of a host service: refused and recorded while learning and allowed with "
        "--allow-net-learning") {
        const std::string ip = own_address();
        if (ip.empty()) {
            MESSAGE("skipped: this host has no non-loopback IPv4 address");
            return;
        }
        Greeter server;
        Scene s;
        s.plant("ws/client.py",
                "import socket, sys\n"
                "c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)\n"
                "print(c.recv(100).decode().strip())\n");
        const std::vector<std::string> cmd{"/usr/bin/python3", "client.py", ip, server.port()};
        const std::string dest = ip + ":" + server.port();

        // Control: BASE has no network; the bare client reaches the service.
        const auto control = s.exec(s.base, cmd);
        CHECK_MESSAGE(control.status != 0, "the client reached the host under BASE alone");
        const auto bare = run_bare(s, cmd);
        REQUIRE_MESSAGE(bare.out == "hello from the host\n", "bare client: ", bare.out, bare.err);

        // Without --allow-net-learning the destination is refused but recorded.
        const auto refused = s.learn(cmd);
        INFO("learn: status ", refused.status, "\n", refused.out, refused.err);
        CHECK(refused.status != 0);
        CHECK(refused.err.find("--allow-net-learning") != std::string::npos);
        CHECK(mxc::test::read_file(s.out_toml).find(dest) != std::string::npos);
        fs::remove(s.out_toml);

        // With it the client gets through while learning, and the learned
        // [network].allow entry is what it needs afterwards.
        const auto allowed = s.mxc({"learn", "-p", s.base, "-o", s.out_toml, "-w", s.ws,
                                    "--allow-net-learning", "--", cmd[0], cmd[1], cmd[2], cmd[3]});
        INFO("learn --allow-net-learning: status ", allowed.status, "\n", allowed.out, allowed.err);
        CHECK(allowed.status == 0);
        CHECK(allowed.out == bare.out);
        const std::string profile = mxc::test::read_file(s.out_toml);
        INFO("learned profile:\n", profile);
        CHECK(profile.find("[network]") != std::string::npos);
        CHECK(profile.find("\"" + dest + "\"") != std::string::npos);
        CHECK(s.mxc({"check", s.out_toml}).status == 0);
        const auto inside = s.exec(s.out_toml, cmd);
        CHECK(inside.status == 0);
        CHECK(inside.out == bare.out);
    }

    TEST_CASE("mxc learn --help says what --allow-net-learning lets the command do") {
        Scene s;
        const auto help = s.mxc({"learn", "--help"});
        INFO("mxc learn --help: status ", help.status, "\n", help.out, help.err);
        REQUIRE_MESSAGE(help.status == 0, "mxc has no learn command");
        for (const std::string option : {"-p", "-o", "-w", "--allow-net-learning"})
            CHECK_MESSAGE(help.out.find(option) != std::string::npos, "mxc learn --help lacks ", option);
        CHECK_MESSAGE(lower(help.out).find("anywhere") != std::string::npos,
                      "mxc learn --help does not warn that --allow-net-learning lets the command send data "
                      "anywhere");
    }
}
