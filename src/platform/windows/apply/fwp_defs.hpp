#pragma once
// WFP identifiers mingw-w64 10 does not ship (its fwpmu.h has the structs and
// functions but not the layer/condition GUIDs or several flags). Values are
// those of the Windows SDK's fwpmu.h / fwpmtypes.h; they are part of the
// documented ABI and never change.
#include <windows.h>

#include <fwpmu.h>

namespace mxc::platform::win::fwp {

// Layers.
inline constexpr GUID kLayerAleAuthConnectV4 = {
    0xc38d57d1, 0x05a7, 0x4c33, {0x90, 0x4f, 0x7f, 0xbc, 0xee, 0xe6, 0x0e, 0x82}};
inline constexpr GUID kLayerAleAuthConnectV6 = {
    0x4a72393b, 0x319f, 0x44bc, {0x84, 0xc3, 0xba, 0x54, 0xdc, 0xb3, 0xb6, 0xb4}};
inline constexpr GUID kLayerAleAuthRecvAcceptV4 = {
    0xe1cd9fe7, 0xf4b5, 0x4273, {0x96, 0xc0, 0x59, 0x2e, 0x48, 0x7b, 0x86, 0x50}};
inline constexpr GUID kLayerAleAuthRecvAcceptV6 = {
    0xa3b42c97, 0x9f04, 0x4672, {0xb8, 0x7e, 0xce, 0xe9, 0xc4, 0x83, 0x25, 0x7f}};

// Conditions.
inline constexpr GUID kConditionAlePackageId = {
    0x71bc78fa, 0xf17c, 0x4997, {0xa6, 0x02, 0x6a, 0xbb, 0x26, 0x1f, 0x35, 0x1c}};
inline constexpr GUID kConditionAleUserId = {
    0xaf043a0a, 0xb34d, 0x4f86, {0x97, 0x9c, 0xc9, 0x03, 0x71, 0xaf, 0x6e, 0x66}};
inline constexpr GUID kConditionIpRemoteAddress = {
    0xb235ae9a, 0x1d64, 0x49b8, {0xa4, 0x4c, 0x5f, 0xf3, 0xd9, 0x09, 0x50, 0x45}};
inline constexpr GUID kConditionIpRemotePort = {
    0xc35a604d, 0xd22b, 0x4e1a, {0x91, 0xb4, 0x68, 0xf6, 0x74, 0xee, 0x67, 0x4b}};
inline constexpr GUID kConditionIpProtocol = {
    0x3971ef2b, 0x623e, 0x4f9a, {0x8c, 0xb1, 0x6e, 0x79, 0xb8, 0x06, 0xb9, 0xa7}};

// Flags.
inline constexpr UINT32 kSessionFlagDynamic = 0x00000001;          // FWPM_SESSION_FLAG_DYNAMIC
inline constexpr UINT32 kFilterFlagClearActionRight = 0x00000008;  // FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT
inline constexpr UINT32 kRpcCAuthnWinnt = 10;                      // RPC_C_AUTHN_WINNT
inline constexpr UINT32 kActrlMatchFilter = 0x00000001;            // FWP_ACTRL_MATCH_FILTER

// Function types, resolved at run time from fwpuclnt.dll (absent on some
// stripped-down images; stubs on wine).
using FwpmEngineOpen0Fn = DWORD(WINAPI*)(const wchar_t*, UINT32, SEC_WINNT_AUTH_IDENTITY_W*,
                                         const FWPM_SESSION0*, HANDLE*);
using FwpmEngineClose0Fn = DWORD(WINAPI*)(HANDLE);
using FwpmTransactionBegin0Fn = DWORD(WINAPI*)(HANDLE, UINT32);
using FwpmTransactionCommit0Fn = DWORD(WINAPI*)(HANDLE);
using FwpmTransactionAbort0Fn = DWORD(WINAPI*)(HANDLE);
using FwpmSubLayerAdd0Fn = DWORD(WINAPI*)(HANDLE, const FWPM_SUBLAYER0*, PSECURITY_DESCRIPTOR);
using FwpmFilterAdd0Fn = DWORD(WINAPI*)(HANDLE, const FWPM_FILTER0*, PSECURITY_DESCRIPTOR, UINT64*);

}  // namespace mxc::platform::win::fwp
