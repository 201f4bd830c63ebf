#pragma once
// TLS trust settings: variables that name the CA bundle or directory HTTPS
// clients must trust (behind a TLS-inspecting proxy, the company's root).
// Passing the variable is useless if the file it names is hidden, so each
// one the policy passes gets a read rule for its value, shown by `mxc
// explain` with the origin "[env] NAME (TLS trust)".
#include <map>
#include <string>
#include <string_view>

#include "policy/model.hpp"

namespace mxc::policy {

// The variables honoured by the common clients: OpenSSL (and everything
// linked to it: curl, git, python's ssl, ruby), Node, requests, curl, git
// and pip. policies/default.toml passes each of them.
inline constexpr std::string_view kTlsTrustVariables[] = {
    "SSL_CERT_FILE",  "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
    "GIT_SSL_CAINFO", "PIP_CERT",
};

// Adds a read rule for the value of each variable in `caller_values` (name
// -> the caller's value; the caller keeps only absolute paths that exist)
// that the policy's [env] passes from the caller, unless
//  - a rule already covers the path: a read or write rule makes it readable
//    already, and a deny rule must keep it hidden (deny wins);
//  - the path is "/" or contains the home directory: a trust setting never
//    opens the whole home (its deny rules would still apply, but its other
//    files would not).
// The rule applies to what the path resolves to at launch, under the same
// symlink checks as any read rule (a link planted in a writable area is not
// followed). Call after finish_paths(), then call finish_paths() again.
void add_tls_trust_reads(ResolvedPolicy& policy, const std::map<std::string, std::string>& caller_values);

}  // namespace mxc::policy
