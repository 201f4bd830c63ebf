#include "net/idna.hpp"

#include <cstdlib>
#include <memory>

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#include <idn2.h>
#endif

namespace mxc::net {
namespace {

bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

[[maybe_unused]] bool has_alabel(std::string_view lower) {  // unused on _WIN32 (IdnToAscii path)
    return lower.rfind("xn--", 0) == 0 || lower.find(".xn--") != std::string_view::npos;
}

}  // namespace

#ifdef _WIN32

Result<std::string> idna_to_ascii(std::string_view name) {
    if (is_ascii(name)) return lower_ascii(name);
    std::string utf8(name);
    int wlen = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), static_cast<int>(utf8.size()),
                                   nullptr, 0);
    if (wlen <= 0) return make_error("host \"" + utf8 + "\" is not valid UTF-8");
    std::wstring wide(static_cast<std::size_t>(wlen), L'\0');
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), static_cast<int>(utf8.size()),
                        wide.data(), wlen);
    // No IDN_USE_STD3_ASCII_RULES: the caller checks LDH itself, and Wine
    // rejects every name with that flag. Note Windows maps a few characters
    // (e.g. U+00DF) per IDNA2003 where libidn2 follows UTS #46
    // non-transitional; such names may normalise differently per OS.
    wchar_t out[256];
    int n = IdnToAscii(0, wide.data(), wlen, out, 256);
    if (n <= 0) return make_error("host \"" + utf8 + "\" is not a valid internationalised domain name");
    std::string ascii;
    for (int i = 0; i < n; ++i) {
        if (out[i] >= 0x80) return make_error("host \"" + utf8 + "\" did not convert to ASCII");
        ascii.push_back(static_cast<char>(out[i]));
    }
    return lower_ascii(ascii);
}

bool load_idna_library() {
    return true;
}

#else

namespace {

// libidn2 is loaded on the first non-ASCII or "xn--" name, not linked: most
// profiles name none, and loading it (with libunistring) was a measurable
// part of every mxc start (issue 14). Filled once, never unloaded; when it
// cannot be loaded, such names are refused, never passed unchecked.
struct Idn2 {
    decltype(&::idn2_to_ascii_8z) to_ascii = nullptr;
    decltype(&::idn2_to_unicode_8z8z) to_unicode = nullptr;
    decltype(&::idn2_strerror) error_text = nullptr;
    bool loaded = false;
};

const Idn2& idn2() {
    static const Idn2 table = [] {
        Idn2 l;
        void* handle = ::dlopen(MXC_IDN2_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) return l;
        l.to_ascii = reinterpret_cast<decltype(l.to_ascii)>(::dlsym(handle, "idn2_to_ascii_8z"));
        l.to_unicode = reinterpret_cast<decltype(l.to_unicode)>(::dlsym(handle, "idn2_to_unicode_8z8z"));
        l.error_text = reinterpret_cast<decltype(l.error_text)>(::dlsym(handle, "idn2_strerror"));
        l.loaded = l.to_ascii != nullptr && l.to_unicode != nullptr && l.error_text != nullptr;
        return l;
    }();
    return table;
}

Error idn2_unavailable(const std::string& input) {
    return make_error("host \"" + input + "\" cannot be checked: cannot load " +
                      std::string(MXC_IDN2_SONAME) + " (install libidn2-0)");
}

}  // namespace

bool load_idna_library() {
    return idn2().loaded;
}

Result<std::string> idna_to_ascii(std::string_view name) {
    std::string input(name);
    if (is_ascii(name)) {
        std::string lower = lower_ascii(name);
        if (!has_alabel(lower)) return lower;
        if (!idn2().loaded) return idn2_unavailable(input);
        // An "xn--" label that does not decode would never match a real name;
        // refusing it catches typos and fuzzed junk early.
        char* decoded = nullptr;
        int rc = idn2().to_unicode(lower.c_str(), &decoded, 0);
        std::free(decoded);
        if (rc != IDN2_OK)
            return make_error("host \"" + input +
                              "\" has an invalid punycode (xn--) label: " + idn2().error_text(rc));
        return lower;
    }
    if (!idn2().loaded) return idn2_unavailable(input);
    char* out = nullptr;
    int rc = idn2().to_ascii(input.c_str(), &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) {
        std::free(out);
        return make_error("host \"" + input +
                          "\" is not a valid internationalised domain name: " + idn2().error_text(rc));
    }
    std::unique_ptr<char, decltype(&std::free)> owned(out, &std::free);
    return lower_ascii(owned.get());
}

#endif

}  // namespace mxc::net
