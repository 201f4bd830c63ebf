#pragma once
// The plan's WFP filters, installed in a dynamic session: the base filtering
// engine deletes every object of the session when its handle closes, which
// also happens when mxc crashes or is killed, so nothing needs journaling.
#include <cstdint>
#include <string>

#include "common/result.hpp"
#include "platform/windows/apply/win_util.hpp"
#include "platform/windows/plan/windows_plan.hpp"

namespace mxc::platform::win {

// Probe: can this process add WFP objects (open a dynamic session, add a
// sublayer in an aborted transaction)? 0 on success, else the error of the
// first failing call (access denied when not elevated; 1764
// RPC_S_CANNOT_SUPPORT from FwpmEngineOpen0 on wine 8).
std::uint32_t probe_wfp_engine();

class WfpSession {
public:
    // `package_sid` is the AppContainer SID for AlePackageId conditions (may be
    // null for a restricted-token plan).
    static Result<WfpSession> install(const WfpSpec& spec, PSID package_sid);
    WfpSession(WfpSession&& o) noexcept : engine_(std::exchange(o.engine_, nullptr)) {}
    WfpSession& operator=(WfpSession&&) = delete;
    ~WfpSession();

private:
    WfpSession() = default;
    HANDLE engine_ = nullptr;  // FwpmEngineClose0, not CloseHandle
};

}  // namespace mxc::platform::win
