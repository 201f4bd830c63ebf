// Issue 16.4: which objects under a write root get their permissions reset
// after the run. wine keeps no DACLs or labels, so this decision is tested
// here, in pure code; the walk that gathers the facts runs under wine.
#include <doctest/doctest.h>

#include "platform/windows/plan/leftover_security.hpp"

using namespace mxc::platform::win;

TEST_CASE("leftovers: a file the run created granting Everyone full control is reset") {
    ObjectSecurityFacts f;
    f.created_during_run = true;
    f.explicit_aces = 1;  // (A;;FA;;;WD) or (A;;FA;;;AC)
    auto d = decide_leftover(f);
    CHECK(d.reset_dacl);
    CHECK_FALSE(d.reset_label);
    CHECK(d.why == "1 explicit ACE(s)");
}

TEST_CASE("leftovers: a protected DACL (inheritance cut) is reset even with no explicit ACE") {
    ObjectSecurityFacts f;
    f.created_during_run = true;
    f.dacl_protected = true;
    CHECK(decide_leftover(f).reset_dacl);
}

TEST_CASE("leftovers: an explicit Low label the run set on its own file is removed") {
    ObjectSecurityFacts f;
    f.created_during_run = true;
    f.explicit_label = true;
    auto d = decide_leftover(f);
    CHECK(d.reset_label);
    CHECK_FALSE(d.reset_dacl);
    CHECK(d.why == "explicit integrity label");
}

TEST_CASE("leftovers: objects that existed before the run keep what the user gave them") {
    ObjectSecurityFacts f;
    f.created_during_run = false;
    f.explicit_aces = 3;
    f.dacl_protected = true;
    f.explicit_label = true;
    auto d = decide_leftover(f);
    CHECK_FALSE(d.reset_dacl);
    CHECK_FALSE(d.reset_label);
    CHECK(d.why.empty());
}

TEST_CASE("leftovers: the write root itself is mxc's to restore (journal), never reset here") {
    ObjectSecurityFacts f;
    f.is_root = true;
    f.created_during_run = true;
    f.explicit_aces = 1;
    CHECK_FALSE(decide_leftover(f).reset_dacl);
}

TEST_CASE("leftovers: a new file that only inherits is left alone") {
    ObjectSecurityFacts f;
    f.created_during_run = true;
    auto d = decide_leftover(f);
    CHECK_FALSE(d.reset_dacl);
    CHECK_FALSE(d.reset_label);
}

TEST_CASE("leftovers: both at once are reported together") {
    ObjectSecurityFacts f;
    f.created_during_run = true;
    f.dacl_protected = true;
    f.explicit_label = true;
    CHECK(decide_leftover(f).why == "protected DACL, explicit integrity label");
}
