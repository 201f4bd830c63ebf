// The learning sandbox behind platform::learn (issue 13), through
// mxc-sandbox-driver --learn: what the command reads is visible and
// recorded, its writes outside the base profile land in a throwaway layer
// (listed, the host unchanged), base deny rules stay hidden. Registered as
// the caller (root) and as the unprivileged test user.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support.hpp"

using mxc::itest::contains;
using mxc::itest::sandbox;
using mxc::test::read_file;
using mxc::test::TempDir;
namespace fs = std::filesystem;

namespace {

struct Line {
    std::vector<std::string> fields;
};

std::vector<std::vector<std::string>> observations(const std::string& file) {
    std::vector<std::vector<std::string>> out;
    std::istringstream in(read_file(file));
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> fields;
        std::size_t pos = 0;
        while (true) {
            const auto tab = line.find('\t', pos);
            fields.push_back(line.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos));
            if (tab == std::string::npos) break;
            pos = tab + 1;
        }
        out.push_back(fields);
    }
    return out;
}

// "file ACCESS EXISTS PATH PROGRAM"
bool has_file(const std::vector<std::vector<std::string>>& obs, const std::string& access,
              const std::string& path, const std::string& exists = "") {
    for (const auto& f : obs) {
        if (f.size() == 5 && f[0] == "file" && f[1] == access && f[3] == path &&
            (exists.empty() || f[2] == exists))
            return true;
    }
    return false;
}

bool has_layer(const std::vector<std::vector<std::string>>& obs, const std::string& path) {
    for (const auto& f : obs) {
        if (f.size() == 2 && f[0] == "layer" && f[1] == path) return true;
    }
    return false;
}

// A directory outside /tmp (the sandbox has a private /tmp) and outside
// every rule of the driver's base profile, owned by the test identity.
struct OutsideDir {
    std::string path;
    OutsideDir() {
        std::string tmpl = "/var/tmp/mxc-learn-XXXXXX";
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
        REQUIRE(chown(path.c_str(), mxc::test::test_uid(), mxc::test::test_gid()) == 0);
    }
    ~OutsideDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    OutsideDir(const OutsideDir&) = delete;
    OutsideDir& operator=(const OutsideDir&) = delete;
    void write(const std::string& name, const std::string& content) const {
        const std::string file = path + "/" + name;
        fs::create_directories(fs::path(file).parent_path());
        FILE* f = std::fopen(file.c_str(), "w");
        REQUIRE(f != nullptr);
        std::fputs(content.c_str(), f);
        std::fclose(f);
        for (fs::path p = file; p.string().size() >= path.size(); p = p.parent_path())
            (void)chown(p.c_str(), mxc::test::test_uid(), mxc::test::test_gid());
    }
};

}  // namespace

TEST_CASE("learning: writes outside the base profile land in the throwaway layer and the host is unchanged") {
    TempDir ws;
    const std::string tag = "mxc-learn-" + std::to_string(getpid());
    const std::string obs_file = ws.path() + "/obs.txt";
    auto r = sandbox(ws.path(), {"--learn", obs_file, "--", "sh", "-c",
                                 "echo $HOME; echo a > \"$HOME/" + tag + "-outside\" && echo b > /var/tmp/" +
                                     tag + " && cat \"$HOME/" + tag + "-outside\" /var/tmp/" + tag +
                                     " && echo w > in-workspace"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    const std::string home = r.out.substr(0, r.out.find('\n'));
    REQUIRE_FALSE(home.empty());
    // The command saw its own writes...
    CHECK(contains(r.out, "a\nb\n"));
    // ...which never reached the host,
    const std::string in_home = home + "/" + tag + "-outside";
    CHECK_FALSE(fs::exists(in_home));
    CHECK_FALSE(fs::exists("/var/tmp/" + tag));
    std::error_code ec;
    fs::remove(in_home, ec);  // a failed run must not leave it behind
    fs::remove("/var/tmp/" + tag, ec);
    // while a write rule (the workspace) is real.
    CHECK(read_file(ws.path() + "/in-workspace") == "w\n");
    const auto obs = observations(obs_file);
    CHECK(has_layer(obs, in_home));
    CHECK(has_layer(obs, "/var/tmp/" + tag));
    CHECK_FALSE(has_layer(obs, ws.path() + "/in-workspace"));
    CHECK(has_file(obs, "write", in_home));
    CHECK(has_file(obs, "write", "/var/tmp/" + tag));
}

TEST_CASE("learning: paths outside the base rules are readable and recorded with the program") {
    TempDir ws;
    OutsideDir outside;
    outside.write("data/input.txt", "learned-content\n");
    const std::string obs_file = ws.path() + "/obs.txt";
    auto r = sandbox(ws.path(), {"--learn", obs_file, "--", "sh", "-c",
                                 "cat " + outside.path + "/data/input.txt; ls " + outside.path +
                                     "/missing 2>/dev/null; echo x > " + outside.path + "/data/input.txt"});
    INFO(r.err);
    CHECK(contains(r.out, "learned-content"));
    const auto obs = observations(obs_file);
    bool by_cat = false;
    for (const auto& f : obs) {
        by_cat |= f.size() == 5 && f[0] == "file" && f[1] == "read" && f[2] == "1" &&
                  f[3] == outside.path + "/data/input.txt" && f[4].find("cat") != std::string::npos;
    }
    CHECK(by_cat);
    // A probe of a missing path is recorded as absent.
    CHECK(has_file(obs, "read", outside.path + "/missing", "0"));
    // The overwrite went to the layer: the host file is as it was.
    CHECK(read_file(outside.path + "/data/input.txt") == "learned-content\n");
    CHECK(has_layer(obs, outside.path + "/data/input.txt"));
    // The sandbox's own /proc, /dev and /tmp are never recorded.
    for (const auto& f : obs) {
        if (f.size() != 5) continue;
        CHECK_FALSE(f[3].rfind("/proc/", 0) == 0);
        CHECK_FALSE(f[3].rfind("/dev/", 0) == 0);
        CHECK_FALSE(f[3].rfind("/tmp/", 0) == 0);
    }
}

TEST_CASE("learning: a base deny path stays unreadable and its attempt is never recorded as present") {
    TempDir ws;
    OutsideDir outside;
    outside.write(".ssh/id_rsa", "PRIVATE-KEY-MATERIAL\n");
    const std::string key = outside.path + "/.ssh/id_rsa";
    const std::string obs_file = ws.path() + "/obs.txt";
    auto r = sandbox(ws.path(), {"--deny", outside.path + "/.ssh", "--learn", obs_file, "--", "sh", "-c",
                                 "cat " + key + "; ls -A " + outside.path + "/.ssh | wc -l"});
    CHECK_FALSE(contains(r.out, "PRIVATE-KEY-MATERIAL"));
    CHECK_FALSE(contains(r.err, "PRIVATE-KEY-MATERIAL"));
    CHECK(contains(r.out, "0\n"));
    const auto obs = observations(obs_file);
    // Recorded with its path so the suggestion code lists it as "denied,
    // not learned"; the masked path is empty, so never present.
    CHECK(has_file(obs, "read", key, "0"));
    CHECK_FALSE(has_file(obs, "read", key, "1"));
    CHECK(read_file(key) == "PRIVATE-KEY-MATERIAL\n");
}

TEST_CASE("learning: refused destinations are recorded with the name asked for") {
    TempDir ws;
    const std::string obs_file = ws.path() + "/obs.txt";
    auto r = sandbox(ws.path(), {"--net", "none", "--learn", obs_file, "--", "sh", "-c",
                                 "getent hosts mxc-learn-probe.example; exit 0"});
    INFO(r.err);
    CHECK(r.status == 0);
    bool dns = false;
    for (const auto& f : observations(obs_file)) {
        dns |= f.size() == 5 && f[0] == "host" && f[1] == "0" && f[2] == "dns" &&
               f[3] == "mxc-learn-probe.example";
    }
    CHECK(dns);
}
