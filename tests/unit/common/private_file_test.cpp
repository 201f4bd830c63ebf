// open_private_append: the audit log (and any other file mxc writes) is never
// reached through a link a sandboxed run could have planted.
#ifndef _WIN32
#include "common/private_file.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Dir {
    std::string path;
    Dir() {
        std::string tmpl = (fs::temp_directory_path() / "mxc-private-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~Dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    [[nodiscard]] std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path + "/" + name) << text;
        return path + "/" + name;
    }
};

std::string slurp(const std::string& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void append(const mxc::UniqueFd& fd, const std::string& text) {
    REQUIRE(::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
}

}  // namespace

TEST_CASE("private file: created 0600 when missing, appended to when it exists") {
    Dir d;
    const std::string p = d.path + "/log.jsonl";
    {
        auto fd = mxc::open_private_append(p, "audit log");
        REQUIRE(fd.ok());
        append(*fd, "a\n");
    }
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    auto again = mxc::open_private_append(p, "audit log");
    REQUIRE(again.ok());
    append(*again, "b\n");
    CHECK(slurp(p) == "a\nb\n");
    CHECK((::fcntl(again->get(), F_GETFL) & O_NONBLOCK) == 0);
}

TEST_CASE("private file: a symlink as the last component is refused and its target untouched") {
    Dir d;
    const std::string rc = d.write("bashrc", "rc\n");
    const std::string p = d.path + "/log.jsonl";
    REQUIRE(::symlink(rc.c_str(), p.c_str()) == 0);
    auto fd = mxc::open_private_append(p, "audit log");
    REQUIRE_FALSE(fd.ok());
    CHECK(fd.error().message.find("symbolic link") != std::string::npos);
    CHECK(fd.error().message.find(p) != std::string::npos);
    CHECK(slurp(rc) == "rc\n");
}

TEST_CASE("private file: a dangling symlink is refused, nothing is created at its target") {
    Dir d;
    const std::string p = d.path + "/log.jsonl";
    REQUIRE(::symlink((d.path + "/created").c_str(), p.c_str()) == 0);
    CHECK_FALSE(mxc::open_private_append(p, "audit log").ok());
    CHECK_FALSE(fs::exists(d.path + "/created"));
}

TEST_CASE("private file: a symlinked parent directory is refused and named") {
    Dir d;
    fs::create_directories(d.path + "/real");
    REQUIRE(::symlink((d.path + "/real").c_str(), (d.path + "/state").c_str()) == 0);
    auto fd = mxc::open_private_append(d.path + "/state/log.jsonl", "audit log");
    REQUIRE_FALSE(fd.ok());
    CHECK(fd.error().message.find(d.path + "/state is a symbolic link") != std::string::npos);
    CHECK_FALSE(fs::exists(d.path + "/real/log.jsonl"));
}

TEST_CASE("private file: a hard-linked file is refused") {
    Dir d;
    const std::string rc = d.write("bashrc", "rc\n");
    const std::string p = d.path + "/log.jsonl";
    REQUIRE(::link(rc.c_str(), p.c_str()) == 0);
    auto fd = mxc::open_private_append(p, "audit log");
    REQUIRE_FALSE(fd.ok());
    CHECK(fd.error().message.find("hard links") != std::string::npos);
    CHECK(slurp(rc) == "rc\n");
}

TEST_CASE("private file: a FIFO is refused without blocking") {
    Dir d;
    const std::string p = d.path + "/log.jsonl";
    REQUIRE(::mkfifo(p.c_str(), 0600) == 0);
    auto fd = mxc::open_private_append(p, "audit log");  // would block forever without O_NONBLOCK
    REQUIRE_FALSE(fd.ok());
    CHECK(fd.error().message.find("FIFO") != std::string::npos);
}

TEST_CASE("private file: a directory or a missing parent is refused with a reason") {
    Dir d;
    CHECK_FALSE(mxc::open_private_append(d.path, "audit log").ok());
    auto missing = mxc::open_private_append(d.path + "/no/such/log", "audit log");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("mkdir -p") != std::string::npos);
}

TEST_CASE("private file: a file owned by another user is refused (needs root to set up)") {
    if (::geteuid() != 0) return;  // only root can hand a file to another uid
    Dir d;
    const std::string p = d.write("log.jsonl", "");
    REQUIRE(::chown(p.c_str(), 65534, 65534) == 0);
    auto fd = mxc::open_private_append(p, "audit log");
    REQUIRE_FALSE(fd.ok());
    CHECK(fd.error().message.find("owned by uid 65534") != std::string::npos);
}

TEST_CASE("private file: a relative path is resolved from the current directory") {
    Dir d;
    const std::string cwd = fs::current_path().string();
    fs::current_path(d.path);
    {
        auto fd = mxc::open_private_append("rel.jsonl", "audit log");
        CHECK(fd.ok());
    }
    fs::current_path(cwd);
    CHECK(fs::exists(d.path + "/rel.jsonl"));
}
#endif
