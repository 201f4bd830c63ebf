#include "policy/resolve.hpp"

#include <algorithm>
#include <filesystem>

#include "common/sha256.hpp"
#include "policy/builtins.hpp"
#include "policy/cli_layer.hpp"
#include "policy/layer.hpp"
#include "policy/load.hpp"
#include "policy/managed.hpp"
#include "policy/paths.hpp"
#include "policy/profile_file.hpp"
#include "policy/protected_names.hpp"
#include "policy/tls_trust.hpp"
#include "policy/validate.hpp"

namespace mxc::policy {
namespace {

namespace fs = std::filesystem;

// A profile to load: a built-in, or a file named relative to the process cwd.
struct ProfileRef {
    std::string display;                   // "builtin:default" or the path as the user / extends wrote it
    std::string identity;                  // what cycles and diamonds are detected on
    std::string builtin;                   // built-in name, or "" for a file
    std::optional<std::string_view> text;  // preloaded bytes (top-level profile given as text)
};

struct Loaded {
    ProfileRef ref;
    std::string text;
    std::string dir;  // absolute directory of the file; "" for built-ins
    RawProfile raw;
    Layer layer;
};

// "default" names a built-in; "./default", "a/b" or "x.toml" name a file.
bool looks_like_path(std::string_view s) {
    return s.find('/') != std::string_view::npos || s.find('\\') != std::string_view::npos ||
           (s.size() > 5 && s.substr(s.size() - 5) == ".toml");
}

std::string builtin_names() {
    std::string out;
    for (const auto& p : builtin_profiles()) out += (out.empty() ? "" : ", ") + p.name;
    return out;
}

class Resolver {
public:
    Resolver(const ResolveContext& ctx, std::vector<Diagnostic>& out) : ctx_(ctx), out_(out) {}

    // Depth-first, parents before children, each profile once: a profile
    // reached twice (a diamond) is merged at its first position only, so a
    // later sibling cannot silently re-apply a grandparent's scalars.
    void visit(const ProfileRef& ref, const Origin& from) {
        if (auto it = std::find(stack_.begin(), stack_.end(), ref.identity); it != stack_.end()) {
            std::string cycle;
            for (auto i = it; i != stack_.end(); ++i) {
                cycle += names_[static_cast<std::size_t>(i - stack_.begin())] + " -> ";
            }
            error(from, "extends cycle: " + cycle + ref.display, "remove one of these extends");
            return;
        }
        if (std::any_of(chain_.begin(), chain_.end(),
                        [&](const Loaded& l) { return l.ref.identity == ref.identity; })) {
            return;
        }
        if (static_cast<int>(stack_.size()) >= kMaxExtendsDepth) {
            std::string path;
            for (const auto& n : names_) path += n + " -> ";
            error(from,
                  "extends chain is deeper than " + std::to_string(kMaxExtendsDepth) + " profiles: " + path +
                      ref.display,
                  "flatten the chain: extend fewer levels");
            return;
        }

        auto loaded = load_and_validate(ref, from);
        if (!loaded) return;

        stack_.push_back(ref.identity);
        names_.push_back(ref.display);
        for (const auto& parent : loaded->raw.extends) {
            if (auto pref = parent_ref(loaded->raw, parent)) visit(*pref, parent.origin);
        }
        stack_.pop_back();
        names_.pop_back();
        chain_.push_back(std::move(*loaded));
    }

    std::optional<ProfileRef> top_ref(const std::string& name_or_path, std::optional<std::string_view> text) {
        if (text) {
            return ProfileRef{name_or_path, file_identity(name_or_path), "", text};
        }
        if (!looks_like_path(name_or_path) && builtin_text(name_or_path)) {
            return ProfileRef{"builtin:" + name_or_path, "builtin:" + name_or_path, name_or_path,
                              std::nullopt};
        }
        std::error_code ec;
        if (!looks_like_path(name_or_path) && !fs::exists(name_or_path, ec)) {
            error(Origin{name_or_path, 0, 0, {}},
                  "no built-in profile or file named \"" + name_or_path + "\"",
                  "built-ins: " + builtin_names() + "; give a file as a path such as ./" + name_or_path +
                      ".toml");
            return std::nullopt;
        }
        return ProfileRef{name_or_path, file_identity(name_or_path), "", std::nullopt};
    }

    std::vector<Loaded>& chain() { return chain_; }

private:
    void error(const Origin& where, std::string what, std::string hint) {
        out_.push_back(Diagnostic{where, std::move(what), std::move(hint)});
    }

    std::string file_identity(const std::string& path) const {
        fs::path p(path);
        if (p.is_relative()) p = fs::path(ctx_.cwd) / p;
        std::error_code ec;
        fs::path canonical = fs::weakly_canonical(p, ec);
        return ec ? p.lexically_normal().generic_string() : canonical.generic_string();
    }

    bool load_text(const ProfileRef& ref, const Origin& from, std::string& text) {
        if (ref.text) {
            text = std::string(*ref.text);
            return true;
        }
        if (!ref.builtin.empty()) {
            text = std::string(*builtin_text(ref.builtin));
            return true;
        }
        auto bytes = read_profile_file(ref.display, kMaxProfileBytes);
        if (!bytes) {
            // Only an `extends` entry (which has a position) is relative to a file.
            error(from, bytes.error().message,
                  from.line == 0 ? "" : "check the path; it is relative to the extending file");
            return false;
        }
        text = std::move(bytes).value();
        return true;
    }

    // Reads, parses and validates one profile. Its diagnostics are reported
    // even when it is usable; nullopt when there is nothing to follow.
    // The table was made with file = "builtin:NAME", dir = "".
    LoadedProfile load_builtin(const ProfileRef& ref, std::string_view text,
                               const std::string& rel_dir) const {
        if (ref.display == "builtin:" + ref.builtin && rel_dir.empty()) {
            for (const auto& p : ctx_.precompiled) {
                if (p.name == ref.builtin) return LoadedProfile{p.make(), true, {}};
            }
        }
        return load_profile_text(without_comments(text), ref.display, rel_dir, true);
    }

    std::optional<Loaded> load_and_validate(const ProfileRef& ref, const Origin& from) {
        Loaded loaded;
        loaded.ref = ref;
        if (!load_text(ref, from, loaded.text)) return std::nullopt;
        std::string rel_dir;
        if (ref.builtin.empty()) {
            fs::path dir = fs::path(ref.display).parent_path();
            rel_dir = dir.generic_string();
            if (dir.is_relative()) dir = fs::path(ctx_.cwd) / dir;
            loaded.dir = normalize_path(dir.generic_string());
        }
        // Built-ins come parsed from the build (precompiled_profiles.hpp) or
        // are parsed without their comments; the audit hash below still
        // covers the bytes as embedded.
        auto parsed = ref.builtin.empty() ? load_profile_text(loaded.text, ref.display, rel_dir, false)
                                          : load_builtin(ref, loaded.text, rel_dir);
        std::vector<Diagnostic> found = std::move(parsed.diagnostics);
        if (parsed.parsed) {
            PathVars vars{ctx_.workspace, ctx_.home, ctx_.tmp, std::nullopt};
            if (ref.builtin.empty()) vars.profile_dir = loaded.dir;
            loaded.layer = validate_profile(parsed.raw, vars, found);
        }
        // Loader and validator each report in source order; interleave them.
        std::stable_sort(found.begin(), found.end(), [](const Diagnostic& a, const Diagnostic& b) {
            return a.where.line != b.where.line ? a.where.line < b.where.line : a.where.col < b.where.col;
        });
        out_.insert(out_.end(), found.begin(), found.end());
        if (!parsed.parsed) return std::nullopt;
        loaded.raw = std::move(parsed.raw);
        return loaded;
    }

    std::optional<ProfileRef> parent_ref(const RawProfile& child, const Sourced<std::string>& entry) {
        const std::string& name = entry.value;
        if (!looks_like_path(name)) {
            if (builtin_text(name))
                return ProfileRef{"builtin:" + name, "builtin:" + name, name, std::nullopt};
            error(entry.origin, "extends unknown built-in profile \"" + name + "\"",
                  "built-ins: " + builtin_names() + "; give a file as a path such as ./" + name + ".toml");
            return std::nullopt;
        }
        if (child.builtin) {
            error(entry.origin, "a built-in profile can only extend built-ins",
                  "extend \"" + name + "\" from a file");
            return std::nullopt;
        }
        fs::path p(name);
        if (p.is_relative()) p = fs::path(child.dir) / p;
        std::string display = p.lexically_normal().generic_string();
        return ProfileRef{display, file_identity(display), "", std::nullopt};
    }

    const ResolveContext& ctx_;
    std::vector<Diagnostic>& out_;
    std::vector<std::string> stack_;  // identities of the profiles being visited
    std::vector<std::string> names_;  // their display names, for messages
    std::vector<Loaded> chain_;
};

std::string stem_of(const ProfileRef& ref) {
    if (!ref.builtin.empty()) return ref.builtin;
    return fs::path(ref.display).stem().string();
}

}  // namespace

Resolution resolve(const std::string& name_or_path, std::optional<std::string_view> text,
                   const CliOverrides& cli, const ResolveContext& ctx) {
    Resolution result;
    // A relative workspace would be normalised into a different absolute
    // path, silently granting the wrong directory.
    for (const auto* value : {&ctx.workspace, &ctx.home, &ctx.tmp, &ctx.cwd}) {
        if (!value->empty() && !is_absolute_path(*value)) {
            result.diagnostics.push_back(
                Diagnostic{Origin{name_or_path, 0, 0, {}},
                           "internal: context path \"" + *value + "\" is not absolute",
                           {}});
            return result;
        }
    }
    Resolver resolver(ctx, result.diagnostics);
    auto top = resolver.top_ref(name_or_path, text);
    if (!top) return result;
    resolver.visit(*top, Origin{top->display, 0, 0, {}});
    auto& chain = resolver.chain();
    if (!result.diagnostics.empty() || chain.empty()) return result;

    ResolvedPolicy policy;
    const Loaded& self = chain.back();
    policy.name = self.raw.name ? self.raw.name->value : stem_of(self.ref);
    policy.description = self.raw.description ? self.raw.description->value : "";
    policy.source = self.ref.display;
    policy.workspace = ctx.workspace.empty() ? "" : normalize_path(ctx.workspace);
    policy.home = ctx.home.empty() ? "" : normalize_path(ctx.home);
    policy.tmp = ctx.tmp.empty() ? "" : normalize_path(ctx.tmp);
    policy.profile_dir = self.dir;

    for (const auto& l : chain) {
        policy.chain.push_back(l.ref.display);
        policy.chain_bytes += l.text;
        merge_layer(policy, l.layer);
    }

    PathVars vars{ctx.workspace, ctx.home, ctx.tmp, std::nullopt};
    if (!self.dir.empty()) vars.profile_dir = self.dir;
    apply_cli_overrides(policy, cli, vars, ctx.cwd, result.diagnostics);
    if (!result.diagnostics.empty()) return result;
    finish_paths(policy);
    add_tls_trust_reads(policy, ctx.tls_trust_env);
    finish_paths(policy);
    add_protected_names(policy);
    finish_paths(policy);
    // Last, over every other layer: nothing may loosen it (docs/managed.md).
    if (ctx.managed) {
        const PathVars managed_vars{ctx.workspace, ctx.home, ctx.tmp, std::nullopt};
        apply_managed(policy, *ctx.managed, managed_vars, result.diagnostics);
        if (!result.diagnostics.empty()) return result;
    }
    result.policy = std::move(policy);
    return result;
}

std::string chain_sha256(const ResolvedPolicy& policy) {
    return sha256_hex(policy.chain_bytes);
}

}  // namespace mxc::policy
