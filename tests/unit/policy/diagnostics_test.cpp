// One test per kind of error a profile can contain, each pinned to the exact
// line:col the user is sent to.
#include <doctest/doctest.h>

#include "policy_testing.hpp"

using mxc::policy::testing::errors;
using mxc::policy::testing::first_error;

TEST_CASE("a diagnostic reads file:line:col: error: what (how to fix)") {
    mxc::policy::Diagnostic d{{"p.toml", 3, 7, {}}, "bad thing", "do this"};
    CHECK(d.to_string() == "p.toml:3:7: error: bad thing (do this)");
    d.hint.clear();
    CHECK(d.to_string() == "p.toml:3:7: error: bad thing");
}

TEST_CASE("a TOML syntax error is reported at toml++'s position") {
    CHECK(first_error("schema = 1\nname = \"x\nfoo = 1\n").rfind("test.toml:2:", 0) == 0);
    CHECK(first_error("schema = 1\n[filesystem\n").find("test.toml:2:") == 0);
    CHECK(first_error("schema = 1\n[filesystem\n").find(": error: invalid TOML: ") != std::string::npos);
}

// toml++ 3.3 reached __builtin_unreachable for these (src/policy/toml_parser.hpp);
// under UBSan (scripts/test.sh's sanitizer build) the old code fails here.
TEST_CASE("non-ASCII characters where toml++ looks for whitespace are an error, not undefined behaviour") {
    CHECK(first_error("schema = 1\n\xc3\xa9 = 1\n").rfind("test.toml:2:", 0) == 0);
    CHECK(first_error("\xef\xbb\xbeschema = 1\n").rfind("test.toml:1:", 0) == 0);
    CHECK(first_error("schema = 1\nname = \"x\"\xcc\xaa\n").rfind("test.toml:2:", 0) == 0);
    // After a line-ending backslash in a multi-line string the character is kept.
    auto p = mxc::policy::testing::load_ok("schema = 1\ndescription = \"\"\"\\\n  \xc2\xa7 x\"\"\"\n");
    CHECK(p.description == "\xc2\xa7 x");
}

TEST_CASE("an empty profile is refused at 1:1") {
    CHECK(first_error("# nothing here\n\n") ==
          "test.toml:1:1: error: empty profile (a profile needs at least schema = 1)");
}

TEST_CASE("a profile without schema is refused at 1:1") {
    CHECK(first_error("name = \"x\"\n") ==
          "test.toml:1:1: error: missing \"schema\" (add schema = 1 at the top of the file)");
}

TEST_CASE("a newer schema is refused at its value") {
    CHECK(first_error("# comment\nschema = 2\n") ==
          "test.toml:2:10: error: schema 2 is newer than this mxc understands "
          "(upgrade mxc, or write schema = 1 and use only schema 1 keys)");
}

TEST_CASE("schema zero or negative is refused") {
    CHECK(first_error("schema = 0\n") == "test.toml:1:10: error: invalid schema 0 (write schema = 1)");
}

TEST_CASE("an unknown top-level key is refused at the key, with a suggestion") {
    CHECK(first_error("schema = 1\nnmae = \"x\"\n") ==
          "test.toml:2:1: error: unknown key \"nmae\" (did you mean \"name\"? allowed: schema, name, "
          "description, "
          "extends, best_effort, agent, filesystem, network, env, limits, windows, seccomp, audit)");
}

TEST_CASE("an unknown key in a section is refused at the key") {
    CHECK(first_error("schema = 1\n[filesystem]\nread = []\n  exec = [\"/x\"]\n") ==
          "test.toml:4:3: error: unknown key \"exec\" in [filesystem] (allowed: read, write, deny, missing, "
          "protect)");
}

TEST_CASE("an unknown section is refused at its header") {
    CHECK(first_error("schema = 1\n[mounts]\nx = 1\n").find("test.toml:2:2: error: unknown key \"mounts\"") ==
          0);
}

TEST_CASE("a value of the wrong type is refused at the value") {
    CHECK(first_error("schema = 1\nbest_effort = \"yes\"\n") ==
          "test.toml:2:15: error: best_effort must be a boolean, not a string (write true or false without "
          "quotes)");
    CHECK(first_error("schema = \"1\"\n") ==
          "test.toml:1:10: error: schema must be an integer, not a string (write a number without quotes)");
}

TEST_CASE("a list entry of the wrong type is refused at the entry") {
    CHECK(first_error("schema = 1\n[filesystem]\nread = [\"/usr\", 42]\n") ==
          "test.toml:3:17: error: [filesystem].read entries must be strings, not an integer "
          "(put each entry in double quotes)");
}

TEST_CASE("a list written as a single string is refused") {
    CHECK(first_error("schema = 1\n[filesystem]\nread = \"/usr\"\n") ==
          "test.toml:3:8: error: [filesystem].read must be an array of strings, not a string (write "
          "[\"...\", \"...\"])");
}

TEST_CASE("a section written as a value is refused") {
    CHECK(first_error("schema = 1\nnetwork = \"none\"\n") ==
          "test.toml:2:11: error: network must be a table, not a string (write it as a [network] section)");
}

TEST_CASE("a bad size is refused at its value") {
    CHECK(first_error("schema = 1\n[limits]\nmemory = \"4 gigs\"\n") ==
          "test.toml:3:10: error: [limits].memory: invalid size \"4 gigs\" "
          "(use a whole number with an optional unit: 1024, 512MiB, 4GiB, 4GB)");
}

TEST_CASE("a negative size is refused") {
    CHECK(first_error("schema = 1\n[limits]\nfile_size = -5\n")
              .find("test.toml:3:13: error: [limits].file_size: size \"-5\" is negative") == 0);
}

TEST_CASE("an overflowing size is refused") {
    CHECK(first_error("schema = 1\n[limits]\nmemory = \"20EiB\"\n") ==
          "test.toml:3:10: error: [limits].memory: size \"20EiB\" is too large");
}

TEST_CASE("a bad duration is refused at its value") {
    CHECK(first_error("schema = 1\n[limits]\nwall_time = \"soon\"\n") ==
          "test.toml:3:13: error: [limits].wall_time: invalid duration \"soon\" "
          "(use a whole number with a unit, largest first: 90s, 5m, 1h30m, 250ms)");
}

TEST_CASE("a duration written as a bare number is refused") {
    CHECK(first_error("schema = 1\n[limits]\ncpu_time = 90\n") ==
          "test.toml:3:12: error: [limits].cpu_time must be a duration string, not an integer "
          "(write \"90s\", \"5m\", \"1h30m\" or \"250ms\")");
    CHECK(first_error("schema = 1\n[limits]\ncpu_time = \"90\"\n")
              .find("test.toml:3:12: error: [limits].cpu_time: duration \"90\" has no unit") == 0);
}

TEST_CASE("a zero or negative count limit is refused") {
    CHECK(first_error("schema = 1\n[limits]\nprocesses = 0\n") ==
          "test.toml:3:13: error: [limits].processes must be greater than zero (remove the key to leave it "
          "unlimited)");
}

TEST_CASE("an invalid network mode is refused with the allowed values") {
    CHECK(first_error("schema = 1\n[network]\nmode = \"open\"\n") ==
          "test.toml:3:8: error: invalid [network].mode \"open\" (use \"none\", \"allowlist\" or \"host\")");
}

TEST_CASE("an invalid missing policy is refused") {
    CHECK(first_error("schema = 1\n[filesystem]\nmissing = \"skip\"\n") ==
          "test.toml:3:11: error: invalid [filesystem].missing \"skip\" (use \"ignore\" or \"error\")");
}

TEST_CASE("invalid windows isolation and desktop values are refused") {
    CHECK(first_error("schema = 1\n[windows]\nisolation = \"vm\"\n") ==
          "test.toml:3:13: error: invalid [windows].isolation \"vm\" (use \"appcontainer\" or "
          "\"restricted-token\")");
    CHECK(first_error("schema = 1\n[windows]\ndesktop = \"own\"\n") ==
          "test.toml:3:11: error: invalid [windows].desktop \"own\" (use \"private\" or \"shared\")");
}

TEST_CASE("an unknown seccomp group is refused with the list of groups") {
    CHECK(first_error("schema = 1\n[seccomp]\nallow = [\"ptrace\", \"kexec\"]\n") ==
          "test.toml:3:20: error: unknown [seccomp].allow group \"kexec\" (groups: ptrace, process_vm, "
          "io_uring, bpf, "
          "keyring, perf_event, userfaultfd, mount, userns, netlink, vsock, packet, raw_sockets)");
}

TEST_CASE("a relative path not under a variable is refused") {
    CHECK(first_error("schema = 1\n[filesystem]\nwrite = [\"build/out\"]\n") ==
          "test.toml:3:10: error: [filesystem].write: relative path \"build/out\" "
          "(start it with {workspace}/, {profile_dir}/, ~/ or /)");
}

TEST_CASE("an unknown variable is refused at the path") {
    CHECK(first_error("schema = 1\n[filesystem]\nread = [\"/usr\", \"{project}/src\"]\n") ==
          "test.toml:3:17: error: [filesystem].read: unknown variable {project} "
          "(known variables: {workspace}, {home}, {tmp}, {profile_dir})");
}

TEST_CASE("a path climbing out of its variable is refused") {
    CHECK(first_error("schema = 1\n[filesystem]\ndeny = [\"{workspace}/../x\"]\n") ==
          "test.toml:3:9: error: [filesystem].deny: path \"{workspace}/../x\" climbs out of {workspace} with "
          "\"..\" "
          "(write the target as an absolute path instead)");
}

TEST_CASE("an env.set name that is not a variable name is refused at the key") {
    CHECK(first_error("schema = 1\n[env]\nset = { \"BAD-NAME\" = \"1\" }\n") ==
          "test.toml:3:9: error: invalid [env].set variable name \"BAD-NAME\" "
          "(use letters, digits and _, not starting with a digit)");
}

TEST_CASE("an env pattern with other characters is refused") {
    CHECK(first_error("schema = 1\n[env]\npass = [\"PATH\", \"A B\"]\n")
              .find("test.toml:3:17: error: invalid [env].pass entry \"A B\"") == 0);
}

TEST_CASE("every error in a file is reported, in source order") {
    auto all = errors(
        "schema = 1\n"
        "[network]\n"
        "mode = \"open\"\n"
        "[limits]\n"
        "memory = \"lots\"\n"
        "wall_time = \"never\"\n"
        "[windows]\n"
        "isolation = \"vm\"\n"
        "bogus = 1\n");
    REQUIRE(all.size() == 5);
    CHECK(all[0].find("test.toml:3:8:") == 0);
    CHECK(all[1].find("test.toml:5:10:") == 0);
    CHECK(all[2].find("test.toml:6:13:") == 0);
    CHECK(all[3].find("test.toml:8:13:") == 0);
    CHECK(all[4].find("test.toml:9:1:") == 0);
}

TEST_CASE("a file that does not exist is reported by name") {
    auto diagnostics = mxc::policy::check_profile("/nonexistent/dir/p.toml");
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].to_string() ==
          "/nonexistent/dir/p.toml: error: cannot read profile \"/nonexistent/dir/p.toml\": no such file");
}
