#pragma once
// Permissions the sandbox chose that would outlive the run (issue 16.4). The
// creator of a file may give it any DACL, and a label up to its own level
// (Low), without WRITE_DAC: a sandboxed command can create workspace files
// that grant Everyone or ALL APPLICATION PACKAGES full control, or that stay
// Low after mxc restores the write root's label, so that any later Low
// process, AppContainer or other local user can write them. After the run
// mxc walks every write root (never through a link) and puts such objects
// back to what they inherit. Pure decision here, unit-tested natively; the
// walk and the Win32 calls are in apply/leftover_reset.cpp.
#include <cstdint>
#include <string>

namespace mxc::platform::win {

// What the applier reads from one object under a write root.
struct ObjectSecurityFacts {
    bool is_root = false;             // the write rule's own root: mxc's ACE and label live there
    bool created_during_run = false;  // creation time at or after the launch
    bool dacl_protected = false;      // SE_DACL_PROTECTED: inheritance turned off
    int explicit_aces = 0;            // non-inherited ACEs, mxc's run-SID ACEs not counted
    bool explicit_label = false;      // a mandatory label ACE without INHERITED_ACE
};

struct LeftoverDecision {
    bool reset_dacl = false;   // explicit ACEs dropped, inheritance on
    bool reset_label = false;  // explicit label removed (inherits again)
    std::string why;           // for the report; "" when nothing is done
};

// Only objects the run created are touched: an object that existed before
// keeps whatever the user gave it (the sandbox had no WRITE_DAC on it, and
// mxc cannot tell the user's own explicit ACEs from anything else).
LeftoverDecision decide_leftover(const ObjectSecurityFacts& facts);

}  // namespace mxc::platform::win
