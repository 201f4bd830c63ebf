// libFuzzer target: the proxy's request parsers. The first byte picks the
// parser and how the rest is split into reads, so incremental paths are hit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/http_parser.hpp"
#include "net/socks5.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t mode = data[0];
    std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::size_t step = 1 + (mode >> 2);
    switch (mode & 3) {
        case 0: {
            mxc::net::HttpHeadParser p;
            for (std::size_t i = 0; i < in.size() && p.state() == mxc::net::HttpHeadParser::State::NeedMore;
                 i += step)
                p.feed(in.substr(i, step));
            if (p.state() == mxc::net::HttpHeadParser::State::Done) {
                if (p.head().head_bytes > p.buffered().size()) std::abort();
                if (p.head().port == 0 || p.head().host.empty()) std::abort();
                if (p.head().form == mxc::net::HttpHead::Form::Absolute)
                    (void)mxc::net::rewrite_for_upstream(p.head());
            }
            break;
        }
        case 1: {
            mxc::net::ChunkedScanner s;
            std::size_t total = 0;
            for (std::size_t i = 0; i < in.size() && s.state() == mxc::net::ChunkedScanner::State::InBody;
                 i += step) {
                std::string_view chunk = in.substr(i, step);
                std::size_t used = s.feed(chunk);
                if (used > chunk.size()) std::abort();
                total += used;
            }
            if (total > in.size()) std::abort();
            break;
        }
        case 2: {
            auto g = mxc::net::socks5::parse_greeting(in);
            if (g.status == mxc::net::socks5::Status::Done && g.consumed > in.size()) std::abort();
            break;
        }
        default: {
            auto r = mxc::net::socks5::parse_request(in);
            if (r.status == mxc::net::socks5::Status::Done && (r.consumed > in.size() || r.port == 0))
                std::abort();
            break;
        }
    }
    return 0;
}
