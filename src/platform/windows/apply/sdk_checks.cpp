// Compile-time proof that the plan's hand-written constants (win_constants.hpp,
// which cannot include <windows.h>) are the SDK's values.
#include <windows.h>

#include <aclapi.h>

#include "platform/windows/plan/win_constants.hpp"

namespace k = mxc::platform::win::k;

static_assert(k::kDisableMaxPrivilege == DISABLE_MAX_PRIVILEGE);
static_assert(k::kLuaToken == LUA_TOKEN);
static_assert(k::kJobLimitProcessTime == JOB_OBJECT_LIMIT_PROCESS_TIME);
static_assert(k::kJobLimitActiveProcess == JOB_OBJECT_LIMIT_ACTIVE_PROCESS);
static_assert(k::kJobLimitJobMemory == JOB_OBJECT_LIMIT_JOB_MEMORY);
static_assert(k::kJobLimitDieOnUnhandledException == JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION);
static_assert(k::kJobLimitKillOnJobClose == JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE);
static_assert(k::kUiHandles == JOB_OBJECT_UILIMIT_HANDLES);
static_assert(k::kUiReadClipboard == JOB_OBJECT_UILIMIT_READCLIPBOARD);
static_assert(k::kUiWriteClipboard == JOB_OBJECT_UILIMIT_WRITECLIPBOARD);
static_assert(k::kUiSystemParameters == JOB_OBJECT_UILIMIT_SYSTEMPARAMETERS);
static_assert(k::kUiDisplaySettings == JOB_OBJECT_UILIMIT_DISPLAYSETTINGS);
static_assert(k::kUiGlobalAtoms == JOB_OBJECT_UILIMIT_GLOBALATOMS);
static_assert(k::kUiDesktop == JOB_OBJECT_UILIMIT_DESKTOP);
static_assert(k::kUiExitWindows == JOB_OBJECT_UILIMIT_EXITWINDOWS);
static_assert(k::kFileReadData == FILE_READ_DATA);
static_assert(k::kFileWriteData == FILE_WRITE_DATA);
static_assert(k::kFileAppendData == FILE_APPEND_DATA);
static_assert(k::kFileWriteEa == FILE_WRITE_EA);
static_assert(k::kFileDeleteChild == FILE_DELETE_CHILD);
static_assert(k::kFileWriteAttributes == FILE_WRITE_ATTRIBUTES);
static_assert(k::kDelete == DELETE);
static_assert(k::kFileGenericRead == FILE_GENERIC_READ);
static_assert(k::kFileGenericWrite == FILE_GENERIC_WRITE);
static_assert(k::kFileGenericExecute == FILE_GENERIC_EXECUTE);
static_assert(k::kObjectInheritAce == OBJECT_INHERIT_ACE);
static_assert(k::kContainerInheritAce == CONTAINER_INHERIT_ACE);
static_assert(k::kSubContainersAndObjectsInherit == SUB_CONTAINERS_AND_OBJECTS_INHERIT);
static_assert(k::kMitigationWin32kDisableAlwaysOn ==
              PROCESS_CREATION_MITIGATION_POLICY_WIN32K_SYSTEM_CALL_DISABLE_ALWAYS_ON);
static_assert(k::kChildProcessRestricted == PROCESS_CREATION_CHILD_PROCESS_RESTRICTED);
static_assert(k::kErrorAccessDenied == ERROR_ACCESS_DENIED);
static_assert(k::kRpcSCannotSupport == RPC_S_CANNOT_SUPPORT);
