// Attacks on the built-in `default` profile itself (not the suite's
// escape.toml): secrets it must hide even though a rule of its own reaches
// them, and variables its env rules must not pass.
#include <doctest/doctest.h>
#include <unistd.h>

#include <string>

#include "escape_support.hpp"

using mxc::escape::check_attack;
using mxc::escape::Control;
using mxc::escape::kCanary;
using mxc::escape::kSecret;
using mxc::escape::Scene;

namespace {

// The scene run under the built-in profile exactly as shipped: no
// --allow-read of the planted home, so only default's own rules apply.
void use_builtin_default(Scene& s) {
    s.profile = "default";
    s.flags.clear();
}

}  // namespace

TEST_SUITE("escape") {
    TEST_CASE("default: git's XDG credential store (~/.config/git/credentials) cannot be read") {
        // default reads ~/.config/git for the user's identity; the
        // credential store inside it must stay hidden.
        Scene s;
        use_builtin_default(s);
        s.plant("home/.config/git/config", "[user]\n\tname = Test\n");
        s.plant("home/.config/git/credentials", std::string("https://user:") + kSecret + "@github.com\n");
        check_attack(s, {"read", s.home + "/.config/git/credentials", kSecret});
    }

    TEST_CASE("default: /etc/shadow cannot be read, even by a root caller") {
        // Bare, only root can read it: for the unprivileged identity the
        // control is impossible and the case is skipped.
        Scene s;
        use_builtin_default(s);
        check_attack(s, {"read", "/etc/shadow", "root:"}, Control::IfPossible);
    }

    TEST_CASE("default: an LC_-prefixed variable that is no locale category (LC_MYTOKEN) does not pass") {
        Scene s;
        use_builtin_default(s);
        s.env["LC_MYTOKEN"] = kCanary;
        check_attack(s, {"environ_scan", kCanary});
    }
}
