// parse_size / parse_duration: the only two unit grammars in a profile (and
// format_size / format_duration, their inverses).
// Both are strict on purpose: "4G" or a bare "90" could mean two different
// things, and a limit that silently means something else is a sandbox hole.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "policy/policy.hpp"

namespace mxc::policy {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads leading digits into `value`; false on overflow.
bool read_number(std::string_view& text, std::uint64_t& value) {
    value = 0;
    while (!text.empty() && is_digit(text.front())) {
        std::uint64_t digit = static_cast<std::uint64_t>(text.front() - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
        value = value * 10 + digit;
        text.remove_prefix(1);
    }
    return true;
}

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

struct SizeUnit {
    std::string_view suffix;
    std::uint64_t factor;
};

constexpr std::uint64_t kKi = 1024;
constexpr std::array<SizeUnit, 15> kSizeUnits = {{
    {"B", 1},
    {"kB", 1000},
    {"KB", 1000},
    {"MB", 1000 * 1000},
    {"GB", 1000ULL * 1000 * 1000},
    {"TB", 1000ULL * 1000 * 1000 * 1000},
    {"PB", 1000ULL * 1000 * 1000 * 1000 * 1000},
    {"EB", 1000ULL * 1000 * 1000 * 1000 * 1000 * 1000},
    {"KiB", kKi},
    {"MiB", kKi* kKi},
    {"GiB", kKi* kKi* kKi},
    {"TiB", kKi* kKi* kKi* kKi},
    {"PiB", kKi* kKi* kKi* kKi* kKi},
    {"EiB", kKi* kKi* kKi* kKi* kKi* kKi},
    {"", 1},
}};

constexpr const char* kSizeHint = "use a whole number with an optional unit: 1024, 512MiB, 4GiB, 4GB";
constexpr const char* kDurationHint = "use a whole number with a unit, largest first: 90s, 5m, 1h30m, 250ms";

}  // namespace

Result<std::uint64_t> parse_size(std::string_view text) {
    if (text.empty()) return make_error(std::string("empty size (") + kSizeHint + ")");
    if (text.front() == '-') return make_error("size " + quoted(text) + " is negative (" + kSizeHint + ")");
    std::string_view rest = text;
    std::uint64_t number = 0;
    if (!is_digit(rest.front())) return make_error("invalid size " + quoted(text) + " (" + kSizeHint + ")");
    if (!read_number(rest, number)) return make_error("size " + quoted(text) + " is too large");
    for (const auto& unit : kSizeUnits) {
        if (rest != unit.suffix) continue;
        if (number > std::numeric_limits<std::uint64_t>::max() / unit.factor) {
            return make_error("size " + quoted(text) + " is too large");
        }
        return number * unit.factor;
    }
    return make_error("invalid size " + quoted(text) + " (" + kSizeHint + ")");
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
    struct DurationUnit {
        std::string_view suffix;
        std::uint64_t ms;
    };
    // Longest suffix first where one is a prefix of another ("ms" before "m").
    static constexpr std::array<DurationUnit, 4> kUnits = {
        {{"h", 3600 * 1000}, {"ms", 1}, {"m", 60 * 1000}, {"s", 1000}}};
    // Rank in the required order h > m > s > ms, so "30m1h" is refused.
    auto rank = [](std::string_view suffix) {
        if (suffix == "h") return 0;
        if (suffix == "m") return 1;
        if (suffix == "s") return 2;
        return 3;
    };

    if (text.empty()) return make_error(std::string("empty duration (") + kDurationHint + ")");
    const std::string bad = "invalid duration " + quoted(text) + " (" + kDurationHint + ")";
    const std::uint64_t max_ms = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::string_view rest = text;
    std::uint64_t total = 0;
    int last_rank = -1;
    while (!rest.empty()) {
        if (!is_digit(rest.front())) return make_error(bad);
        std::uint64_t number = 0;
        if (!read_number(rest, number)) return make_error("duration " + quoted(text) + " is too long");
        if (rest.empty()) {
            return make_error("duration " + quoted(text) + " has no unit (" + kDurationHint + ")");
        }
        const DurationUnit* found = nullptr;
        for (const auto& unit : kUnits) {
            if (rest.substr(0, unit.suffix.size()) == unit.suffix) {
                found = &unit;
                break;
            }
        }
        if (found == nullptr || rank(found->suffix) <= last_rank) return make_error(bad);
        last_rank = rank(found->suffix);
        rest.remove_prefix(found->suffix.size());
        if (number > (max_ms - total) / found->ms)
            return make_error("duration " + quoted(text) + " is too long");
        total += number * found->ms;
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(total));
}

std::string format_size(std::uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (u < 4 && bytes >= 1024 && bytes % 1024 == 0) {
        bytes /= 1024;
        ++u;
    }
    return std::to_string(bytes) + units[u];
}

std::string format_duration(std::chrono::milliseconds ms) {
    const auto n = ms.count();
    if (n % 3600000 == 0) return std::to_string(n / 3600000) + "h";
    if (n % 60000 == 0) return std::to_string(n / 60000) + "m";
    if (n % 1000 == 0) return std::to_string(n / 1000) + "s";
    return std::to_string(n) + "ms";
}

}  // namespace mxc::policy
