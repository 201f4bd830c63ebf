#pragma once
// Numeric Windows constants the plan compiler needs, with their documented
// values (winnt.h / fwpmtypes.h / sddl.h). The plan is built and unit-tested on
// every OS, so it must not include <windows.h>; the applier static_asserts
// that each value here equals the SDK's (apply/sdk_checks.cpp).
#include <cstdint>

namespace mxc::platform::win::k {

// CreateRestrictedToken flags.
inline constexpr std::uint32_t kDisableMaxPrivilege = 0x1;  // DISABLE_MAX_PRIVILEGE
inline constexpr std::uint32_t kLuaToken = 0x4;             // LUA_TOKEN

// JOBOBJECT_BASIC_LIMIT_INFORMATION.LimitFlags
inline constexpr std::uint32_t kJobLimitProcessTime = 0x00000002;    // JOB_OBJECT_LIMIT_PROCESS_TIME
inline constexpr std::uint32_t kJobLimitActiveProcess = 0x00000008;  // JOB_OBJECT_LIMIT_ACTIVE_PROCESS
inline constexpr std::uint32_t kJobLimitJobMemory = 0x00000200;      // JOB_OBJECT_LIMIT_JOB_MEMORY
inline constexpr std::uint32_t kJobLimitDieOnUnhandledException =
    0x00000400;  // JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
inline constexpr std::uint32_t kJobLimitKillOnJobClose = 0x00002000;  // JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE

// JOBOBJECT_BASIC_UI_RESTRICTIONS.UIRestrictionsClass
inline constexpr std::uint32_t kUiHandles = 0x0001;           // JOB_OBJECT_UILIMIT_HANDLES
inline constexpr std::uint32_t kUiReadClipboard = 0x0002;     // JOB_OBJECT_UILIMIT_READCLIPBOARD
inline constexpr std::uint32_t kUiWriteClipboard = 0x0004;    // JOB_OBJECT_UILIMIT_WRITECLIPBOARD
inline constexpr std::uint32_t kUiSystemParameters = 0x0008;  // JOB_OBJECT_UILIMIT_SYSTEMPARAMETERS
inline constexpr std::uint32_t kUiDisplaySettings = 0x0010;   // JOB_OBJECT_UILIMIT_DISPLAYSETTINGS
inline constexpr std::uint32_t kUiGlobalAtoms = 0x0020;       // JOB_OBJECT_UILIMIT_GLOBALATOMS
inline constexpr std::uint32_t kUiDesktop = 0x0040;           // JOB_OBJECT_UILIMIT_DESKTOP
inline constexpr std::uint32_t kUiExitWindows = 0x0080;       // JOB_OBJECT_UILIMIT_EXITWINDOWS

// File access rights.
inline constexpr std::uint32_t kFileReadData = 0x0001;            // FILE_READ_DATA / FILE_LIST_DIRECTORY
inline constexpr std::uint32_t kFileWriteData = 0x0002;           // FILE_WRITE_DATA / FILE_ADD_FILE
inline constexpr std::uint32_t kFileAppendData = 0x0004;          // FILE_APPEND_DATA / FILE_ADD_SUBDIRECTORY
inline constexpr std::uint32_t kFileWriteEa = 0x0010;             // FILE_WRITE_EA
inline constexpr std::uint32_t kFileDeleteChild = 0x0040;         // FILE_DELETE_CHILD
inline constexpr std::uint32_t kFileWriteAttributes = 0x0100;     // FILE_WRITE_ATTRIBUTES
inline constexpr std::uint32_t kDelete = 0x00010000;              // DELETE
inline constexpr std::uint32_t kFileGenericRead = 0x00120089;     // FILE_GENERIC_READ
inline constexpr std::uint32_t kFileGenericWrite = 0x00120116;    // FILE_GENERIC_WRITE
inline constexpr std::uint32_t kFileGenericExecute = 0x001200A0;  // FILE_GENERIC_EXECUTE

// What each rule kind grants or denies (docs/design.md: read = read + execute;
// write = read + write + execute; deny = nothing at all).
inline constexpr std::uint32_t kReadMask = kFileGenericRead | kFileGenericExecute;    // 0x1200A9
inline constexpr std::uint32_t kWriteMask = kReadMask | kFileGenericWrite | kDelete;  // 0x1301BF
inline constexpr std::uint32_t kDenyMask = kWriteMask;
// Denied on a read rule nested inside a write rule, so the inherited write
// grant from the parent cannot modify it ("most specific wins"). Leaves
// SYNCHRONIZE/READ_CONTROL alone: those are shared with the read grant.
inline constexpr std::uint32_t kWriteOnlyBits = kFileWriteData | kFileAppendData | kFileWriteEa |
                                                kFileWriteAttributes | kFileDeleteChild | kDelete;  // 0x10156

// ACE inheritance flags.
inline constexpr std::uint32_t kObjectInheritAce = 0x1;     // OBJECT_INHERIT_ACE
inline constexpr std::uint32_t kContainerInheritAce = 0x2;  // CONTAINER_INHERIT_ACE
inline constexpr std::uint32_t kSubContainersAndObjectsInherit = kObjectInheritAce | kContainerInheritAce;

// Well-known SIDs.
inline constexpr const char* kSidAdministrators = "S-1-5-32-544";
inline constexpr const char* kSidPowerUsers = "S-1-5-32-547";
inline constexpr const char* kSidBackupOperators = "S-1-5-32-551";
inline constexpr const char* kSidNetworkConfigOperators = "S-1-5-32-556";
inline constexpr const char* kSidLocalAccountAndAdmin =
    "S-1-5-114";  // "Local account and member of Administrators"
inline constexpr const char* kSidEveryone = "S-1-1-0";
inline constexpr const char* kSidUsers = "S-1-5-32-545";
inline constexpr const char* kSidRestrictedCode = "S-1-5-12";
inline constexpr const char* kSidLowIntegrity = "S-1-16-4096";
// AppContainer network capabilities (S-1-15-3-n).
inline constexpr const char* kCapInternetClient = "S-1-15-3-1";
inline constexpr const char* kCapInternetClientServer = "S-1-15-3-2";
inline constexpr const char* kCapPrivateNetworkClientServer = "S-1-15-3-3";

// Process mitigation policy bits (PROCESS_CREATION_MITIGATION_POLICY_*) and
// child-process policy.
inline constexpr std::uint64_t kMitigationWin32kDisableAlwaysOn = 0x1ULL << 28;
inline constexpr std::uint32_t kChildProcessRestricted = 0x1;  // PROCESS_CREATION_CHILD_PROCESS_RESTRICTED

// IP protocol numbers used in WFP conditions.
inline constexpr std::uint8_t kIpProtoIcmp = 1;
inline constexpr std::uint8_t kIpProtoTcp = 6;
inline constexpr std::uint8_t kIpProtoUdp = 17;
inline constexpr std::uint8_t kIpProtoIcmpV6 = 58;

// FWPM flags (missing from mingw-w64 10; values from fwpmtypes.h).
inline constexpr std::uint32_t kFwpmSessionFlagDynamic = 0x00000001;  // FWPM_SESSION_FLAG_DYNAMIC
inline constexpr std::uint32_t kFwpmFilterFlagClearActionRight =
    0x00000008;  // FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT

// Win32 error codes the probe and the tests refer to.
inline constexpr std::uint32_t kRpcSCannotSupport = 1764;  // RPC_S_CANNOT_SUPPORT (wine's FwpmEngineOpen0)
inline constexpr std::uint32_t kErrorAccessDenied = 5;

}  // namespace mxc::platform::win::k
