#pragma once
#include "common/result.hpp"

namespace mxc::lnx {

// A fresh network namespace has "lo" down; programs expect 127.0.0.1 to work.
Status bring_up_loopback();

}  // namespace mxc::lnx
