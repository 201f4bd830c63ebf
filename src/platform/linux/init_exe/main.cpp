// mxc-init: the sandbox's init as its own small executable, started by mxc
// in the sandbox's new user and pid namespaces (apply/init_helper.hpp).
// It is not a command to run by hand.
#include <signal.h>

#include <cstdio>

#include "common/exit_codes.hpp"
#include "platform/linux/apply/early_init_main.hpp"
#include "platform/linux/apply/init_helper.hpp"

int main(int argc, char** argv) {
    mxc::lnx::EarlyChild child{};
    sigset_t caller_mask;
    if (!mxc::lnx::parse_init_helper_args(argc, argv, child, caller_mask)) {
        std::fprintf(stderr,
                     "mxc-init: started by mxc only (this one may be from another build of mxc: "
                     "reinstall mxc)\n");
        return mxc::exit_code::kMxcFailure;
    }
    mxc::lnx::early_init_main(child);
}
