#include "platform/windows/apply/wfp_filters.hpp"

#include <objbase.h>
#include <sddl.h>

#include <cstring>
#include <memory>
#include <vector>

#include "platform/windows/apply/fwp_defs.hpp"

namespace mxc::platform::win {
namespace {

struct Api {
    fwp::FwpmEngineOpen0Fn open = nullptr;
    fwp::FwpmEngineClose0Fn close = nullptr;
    fwp::FwpmTransactionBegin0Fn begin = nullptr;
    fwp::FwpmTransactionCommit0Fn commit = nullptr;
    fwp::FwpmTransactionAbort0Fn abort = nullptr;
    fwp::FwpmSubLayerAdd0Fn add_sublayer = nullptr;
    fwp::FwpmFilterAdd0Fn add_filter = nullptr;
    [[nodiscard]] bool complete() const {
        return open && close && begin && commit && abort && add_sublayer && add_filter;
    }
};

const Api& api() {
    static const Api a = [] {
        Api x;
        const wchar_t* dll = L"fwpuclnt.dll";
        x.open = find_function_as<fwp::FwpmEngineOpen0Fn>(dll, "FwpmEngineOpen0");
        x.close = find_function_as<fwp::FwpmEngineClose0Fn>(dll, "FwpmEngineClose0");
        x.begin = find_function_as<fwp::FwpmTransactionBegin0Fn>(dll, "FwpmTransactionBegin0");
        x.commit = find_function_as<fwp::FwpmTransactionCommit0Fn>(dll, "FwpmTransactionCommit0");
        x.abort = find_function_as<fwp::FwpmTransactionAbort0Fn>(dll, "FwpmTransactionAbort0");
        x.add_sublayer = find_function_as<fwp::FwpmSubLayerAdd0Fn>(dll, "FwpmSubLayerAdd0");
        x.add_filter = find_function_as<fwp::FwpmFilterAdd0Fn>(dll, "FwpmFilterAdd0");
        return x;
    }();
    return a;
}

const GUID& layer_guid(WfpLayer l) {
    switch (l) {
        case WfpLayer::AleAuthConnectV4:
            return fwp::kLayerAleAuthConnectV4;
        case WfpLayer::AleAuthConnectV6:
            return fwp::kLayerAleAuthConnectV6;
        case WfpLayer::AleAuthRecvAcceptV4:
            return fwp::kLayerAleAuthRecvAcceptV4;
        case WfpLayer::AleAuthRecvAcceptV6:
            return fwp::kLayerAleAuthRecvAcceptV6;
    }
    return fwp::kLayerAleAuthConnectV4;
}

const GUID& field_guid(WfpField f) {
    switch (f) {
        case WfpField::AlePackageId:
            return fwp::kConditionAlePackageId;
        case WfpField::AleUserId:
            return fwp::kConditionAleUserId;
        case WfpField::IpRemoteAddress:
            return fwp::kConditionIpRemoteAddress;
        case WfpField::IpRemotePort:
            return fwp::kConditionIpRemotePort;
        case WfpField::IpProtocol:
            return fwp::kConditionIpProtocol;
    }
    return fwp::kConditionIpProtocol;
}

// Storage that FWPM_FILTER_CONDITION0 values point into; lives until the
// transaction commits.
struct ValueStore {
    std::vector<std::unique_ptr<FWP_V4_ADDR_AND_MASK>> v4;
    std::vector<std::unique_ptr<FWP_V6_ADDR_AND_MASK>> v6;
    std::vector<std::unique_ptr<FWP_RANGE0>> ranges;
    std::vector<std::unique_ptr<FWP_BYTE_BLOB>> blobs;
    std::vector<LocalPtr<void>> sds;
};

Result<FWPM_FILTER_CONDITION0> to_fwp(const WfpCondition& c, PSID package_sid, ValueStore& store) {
    FWPM_FILTER_CONDITION0 out{};
    out.fieldKey = field_guid(c.field);
    out.matchType = c.match == WfpMatch::NotEqual ? FWP_MATCH_NOT_EQUAL
                    : c.match == WfpMatch::Range  ? FWP_MATCH_RANGE
                                                  : FWP_MATCH_EQUAL;
    switch (c.field) {
        case WfpField::AlePackageId:
            if (!package_sid) return make_error("WFP package condition without an AppContainer SID");
            out.conditionValue.type = FWP_SID;
            out.conditionValue.sid = static_cast<SID*>(package_sid);
            break;
        case WfpField::AleUserId: {
            PSECURITY_DESCRIPTOR sd = nullptr;
            ULONG size = 0;
            if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(widen(c.principal).c_str(),
                                                                      SDDL_REVISION_1, &sd, &size))
                return win_error("WFP user condition " + c.principal);
            store.sds.emplace_back(sd);
            auto blob = std::make_unique<FWP_BYTE_BLOB>();
            blob->size = size;
            blob->data = static_cast<UINT8*>(sd);
            out.conditionValue.type = FWP_SECURITY_DESCRIPTOR_TYPE;
            out.conditionValue.sd = blob.get();
            store.blobs.push_back(std::move(blob));
            break;
        }
        case WfpField::IpRemoteAddress:
            if (c.net.is_v4) {
                auto v = std::make_unique<FWP_V4_ADDR_AND_MASK>();
                const auto& a = c.net.addr;
                // Host byte order, as FWP expects for IPv4.
                v->addr =
                    (UINT32(a[12]) << 24) | (UINT32(a[13]) << 16) | (UINT32(a[14]) << 8) | UINT32(a[15]);
                int bits = c.net.prefix - 96;
                v->mask = bits <= 0 ? 0 : (bits >= 32 ? 0xFFFFFFFFu : ~((1u << (32 - bits)) - 1));
                out.conditionValue.type = FWP_V4_ADDR_MASK;
                out.conditionValue.v4AddrMask = v.get();
                store.v4.push_back(std::move(v));
            } else {
                auto v = std::make_unique<FWP_V6_ADDR_AND_MASK>();
                std::memcpy(v->addr, c.net.addr.data(), 16);
                v->prefixLength = static_cast<UINT8>(c.net.prefix);
                out.conditionValue.type = FWP_V6_ADDR_MASK;
                out.conditionValue.v6AddrMask = v.get();
                store.v6.push_back(std::move(v));
            }
            break;
        case WfpField::IpRemotePort:
            if (c.match == WfpMatch::Range) {
                auto r = std::make_unique<FWP_RANGE0>();
                r->valueLow.type = FWP_UINT16;
                r->valueLow.uint16 = c.port_lo;
                r->valueHigh.type = FWP_UINT16;
                r->valueHigh.uint16 = c.port_hi;
                out.conditionValue.type = FWP_RANGE_TYPE;
                out.conditionValue.rangeValue = r.get();
                store.ranges.push_back(std::move(r));
            } else {
                out.conditionValue.type = FWP_UINT16;
                out.conditionValue.uint16 = c.port_lo;
            }
            break;
        case WfpField::IpProtocol:
            out.conditionValue.type = FWP_UINT8;
            out.conditionValue.uint8 = c.protocol;
            break;
    }
    return out;
}

}  // namespace

std::uint32_t probe_wfp_engine() {
    const Api& a = api();
    if (!a.complete()) return ERROR_PROC_NOT_FOUND;
    FWPM_SESSION0 session{};
    session.flags = fwp::kSessionFlagDynamic;
    HANDLE engine = nullptr;
    DWORD rc = a.open(nullptr, fwp::kRpcCAuthnWinnt, nullptr, &session, &engine);
    if (rc != ERROR_SUCCESS || !engine) return rc;
    // Opening the engine does not need elevation; adding objects does. Try the
    // first thing install() adds, inside a transaction that is always aborted.
    rc = a.begin(engine, 0);
    if (rc == ERROR_SUCCESS) {
        FWPM_SUBLAYER0 probe{};
        CoCreateGuid(&probe.subLayerKey);
        wchar_t name[] = L"mxc probe";
        probe.displayData.name = name;
        rc = a.add_sublayer(engine, &probe, nullptr);
        a.abort(engine);
    }
    a.close(engine);
    return rc;
}

Result<WfpSession> WfpSession::install(const WfpSpec& spec, PSID package_sid) {
    const Api& a = api();
    if (!a.complete()) return make_error("fwpuclnt.dll lacks the FWPM API");
    FWPM_SESSION0 session{};
    session.flags = fwp::kSessionFlagDynamic;
    WfpSession s;
    DWORD rc = a.open(nullptr, fwp::kRpcCAuthnWinnt, nullptr, &session, &s.engine_);
    if (rc != ERROR_SUCCESS) {
        s.engine_ = nullptr;
        return win_error("FwpmEngineOpen0", rc);
    }
    // One transaction: the sandbox never sees a half-installed filter set
    // (e.g. the default block without the proxy permit).
    rc = a.begin(s.engine_, 0);
    if (rc != ERROR_SUCCESS) return win_error("FwpmTransactionBegin0", rc);

    FWPM_SUBLAYER0 sublayer{};
    CoCreateGuid(&sublayer.subLayerKey);
    std::wstring sublayer_name = widen(spec.sublayer_name);
    sublayer.displayData.name = sublayer_name.data();
    sublayer.weight = spec.sublayer_weight;
    rc = a.add_sublayer(s.engine_, &sublayer, nullptr);
    if (rc != ERROR_SUCCESS) {
        a.abort(s.engine_);
        return win_error("FwpmSubLayerAdd0", rc);
    }

    for (const auto& f : spec.filters) {
        ValueStore store;
        std::vector<FWPM_FILTER_CONDITION0> conds;
        for (const auto& c : f.conditions) {
            auto fc = to_fwp(c, package_sid, store);
            if (!fc) {
                a.abort(s.engine_);
                return fc.error();
            }
            conds.push_back(*fc);
        }
        FWPM_FILTER0 filter{};
        std::wstring name = widen(f.name);
        filter.displayData.name = name.data();
        filter.layerKey = layer_guid(f.layer);
        filter.subLayerKey = sublayer.subLayerKey;
        filter.weight.type = FWP_UINT8;
        filter.weight.uint8 = f.weight;
        filter.action.type = f.action == WfpAction::Permit ? FWP_ACTION_PERMIT : FWP_ACTION_BLOCK;
        if (f.hard_permit) filter.flags |= fwp::kFilterFlagClearActionRight;
        filter.numFilterConditions = static_cast<UINT32>(conds.size());
        filter.filterCondition = conds.empty() ? nullptr : conds.data();
        rc = a.add_filter(s.engine_, &filter, nullptr, nullptr);
        if (rc != ERROR_SUCCESS) {
            a.abort(s.engine_);
            return win_error("FwpmFilterAdd0 [" + f.name + "]", rc);
        }
    }
    rc = a.commit(s.engine_);
    if (rc != ERROR_SUCCESS) return win_error("FwpmTransactionCommit0", rc);
    return s;
}

WfpSession::~WfpSession() {
    if (engine_) api().close(engine_);
}

}  // namespace mxc::platform::win
