#include <doctest/doctest.h>

#include <string>

#include "net/http_parser.hpp"

using namespace mxc::net;
using State = HttpHeadParser::State;

namespace {

HttpHeadParser parse(std::string_view text) {
    HttpHeadParser p;
    p.feed(text);
    return p;
}

}  // namespace

TEST_CASE("CONNECT host:port is parsed") {
    auto p = parse("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    REQUIRE(p.state() == State::Done);
    CHECK(p.head().form == HttpHead::Form::Connect);
    CHECK(p.head().host == "example.com");
    CHECK(p.head().port == 443);
    CHECK(p.after_head().empty());
}

TEST_CASE("CONNECT to a bracketed IPv6 literal") {
    auto p = parse("CONNECT [::1]:8080 HTTP/1.1\r\n\r\n");
    REQUIRE(p.state() == State::Done);
    CHECK(p.head().host == "::1");
    CHECK(p.head().port == 8080);
}

TEST_CASE("bytes after the head are kept for the tunnel") {
    auto p = parse("CONNECT a.com:443 HTTP/1.1\r\n\r\n\x16\x03\x01");
    REQUIRE(p.state() == State::Done);
    CHECK(p.after_head() == "\x16\x03\x01");
}

TEST_CASE("a head split into single bytes parses the same") {
    std::string req = "GET http://example.com:8080/a?b=c HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
    HttpHeadParser p;
    for (std::size_t i = 0; i < req.size(); ++i) {
        auto s = p.feed(req.substr(i, 1));
        CHECK(s == (i + 1 == req.size() ? State::Done : State::NeedMore));
    }
    CHECK(p.head().host == "example.com");
    CHECK(p.head().port == 8080);
    CHECK(p.head().path == "/a?b=c");
}

TEST_CASE("absolute-form requests default to port 80 and path /") {
    auto p = parse("GET http://Example.com HTTP/1.0\r\n\r\n");
    REQUIRE(p.state() == State::Done);
    CHECK(p.head().form == HttpHead::Form::Absolute);
    CHECK(p.head().host == "Example.com");
    CHECK(p.head().port == 80);
    CHECK(p.head().path == "/");
    CHECK(p.head().minor_version == 0);
    auto q = parse("GET http://a.com?x HTTP/1.1\r\n\r\n");
    REQUIRE(q.state() == State::Done);
    CHECK(q.head().path == "/?x");
}

TEST_CASE("request framing is recognised") {
    auto cl = parse("POST http://a.com/ HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    REQUIRE(cl.state() == State::Done);
    CHECK(cl.head().body == HttpHead::Body::Length);
    CHECK(cl.head().content_length == 5);
    auto te = parse("POST http://a.com/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    REQUIRE(te.state() == State::Done);
    CHECK(te.head().body == HttpHead::Body::Chunked);
    auto none = parse("GET http://a.com/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    REQUIRE(none.state() == State::Done);
    CHECK(none.head().body == HttpHead::Body::None);
}

TEST_CASE("ambiguous or malformed heads are rejected") {
    const char* bad[] = {
        "POST http://a.com/ HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST http://a.com/ HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
        "POST http://a.com/ HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n",
        "POST http://a.com/ HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "POST http://a.com/ HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n",
        "POST http://a.com/ HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "POST http://a.com/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST http://a.com/ HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET http://a.com/ HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
        "GET http://a.com/ HTTP/1.1\r\nX: a\rb\r\n\r\n",
        "GET http://a.com/ HTTP/1.1\nX: a\r\n\r\n",
        "GET http://a.com/ HTTP/1.1\r\nX : a\r\n\r\n",
        "GET http://a.com/ HTTP/1.1\r\n: a\r\n\r\n",
        "GET http://a.com/ HTTP/1.1\r\nNoColon\r\n\r\n",
        "GET http://a.com/ HTTP/1.1\r\nX: a\x01\r\n\r\n",
        "GET http://a.com/  HTTP/1.1\r\n\r\n",
        "GET  http://a.com/ HTTP/1.1\r\n\r\n",
        "GET http://a.com/ HTTP/2.0\r\n\r\n",
        "GET http://a.com/ http/1.1\r\n\r\n",
        "GET /relative HTTP/1.1\r\nHost: a.com\r\n\r\n",
        "GET https://a.com/ HTTP/1.1\r\n\r\n",
        "GET http://user@a.com/ HTTP/1.1\r\n\r\n",
        "GET http://a.com:0/ HTTP/1.1\r\n\r\n",
        "GET http://a.com:65536/ HTTP/1.1\r\n\r\n",
        "GET http://a.com:/ HTTP/1.1\r\n\r\n",
        "GET http:///x HTTP/1.1\r\n\r\n",
        "GET http://::1/ HTTP/1.1\r\n\r\n",
        "GET http://a.com/#frag HTTP/1.1\r\n\r\n",
        "GET http://a%2ecom/ HTTP/1.1\r\n\r\n",
        "CONNECT a.com HTTP/1.1\r\n\r\n",
        "CONNECT a.com:443/x HTTP/1.1\r\n\r\n",
        "CONNECT :443 HTTP/1.1\r\n\r\n",
        "CONNECT a.com:443 HTTP/1.1\r\nContent-Length: 3\r\n\r\n",
        "G\x01T http://a.com/ HTTP/1.1\r\n\r\n",
        "\r\n\r\n",
    };
    for (const char* req : bad) {
        std::string text = req;
        CAPTURE(text);
        auto p = parse(req);
        CHECK(p.state() == State::Error);
        CHECK(p.error().status >= 400);
    }
}

TEST_CASE("an oversized head is refused with 431 and never buffered past the limit") {
    HttpHeadParser p;
    p.feed("GET http://a.com/ HTTP/1.1\r\n");
    std::string filler = "X: " + std::string(1000, 'a') + "\r\n";
    State s = State::NeedMore;
    for (int i = 0; i < 100 && s == State::NeedMore; ++i) s = p.feed(filler);
    CHECK(s == State::Error);
    CHECK(p.error().status == 431);
    CHECK(p.buffered().size() <= HttpHeadParser::kMaxHeadBytes);
}

TEST_CASE("rewrite_for_upstream uses origin-form, sets Host, drops hop-by-hop headers") {
    auto p = parse(
        "GET http://a.com:8080/x HTTP/1.1\r\nHost: evil.com\r\nProxy-Authorization: x\r\nConnection: "
        "keep-alive, "
        "X-Secret\r\nX-Secret: 1\r\nAccept: */*\r\nProxy-Connection: keep-alive\r\n\r\n");
    REQUIRE(p.state() == State::Done);
    std::string out = rewrite_for_upstream(p.head());
    CHECK(out.rfind("GET /x HTTP/1.1\r\nHost: a.com:8080\r\n", 0) == 0);
    CHECK(out.find("evil.com") == std::string::npos);
    CHECK(out.find("Proxy-") == std::string::npos);
    CHECK(out.find("X-Secret") == std::string::npos);
    CHECK(out.find("Accept: */*\r\n") != std::string::npos);
    CHECK(out.find("Connection: close\r\n\r\n") != std::string::npos);
    auto v6 = parse("GET http://[::1]/ HTTP/1.1\r\n\r\n");
    REQUIRE(v6.state() == State::Done);
    CHECK(rewrite_for_upstream(v6.head()).find("Host: [::1]\r\n") != std::string::npos);
}

TEST_CASE("http_response carries status, length and body") {
    std::string r = http_response(403, "Forbidden", "no\n");
    CHECK(r.rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0);
    CHECK(r.find("Content-Length: 3\r\n") != std::string::npos);
    CHECK(r.substr(r.size() - 3) == "no\n");
}

TEST_CASE("ChunkedScanner finds the end of a chunked body") {
    std::string body = "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\n";
    ChunkedScanner s;
    std::size_t used = s.feed(body + "NEXT");
    CHECK(s.state() == ChunkedScanner::State::Done);
    CHECK(used == body.size());
    ChunkedScanner bytewise;
    for (std::size_t i = 0; i < body.size(); ++i) {
        CHECK(bytewise.feed(body.substr(i, 1)) == 1);
    }
    CHECK(bytewise.state() == ChunkedScanner::State::Done);
}

TEST_CASE("ChunkedScanner rejects malformed chunks") {
    for (const char* b : {"x\r\n", "5\nhello\r\n", "5\r\nhelloX\r\n", "-1\r\n", "\r\n", "0\r\n\n",
                          "1234567890abcdef0\r\n", "0\r\n bad\r\n\r\n"}) {
        std::string text = b;
        CAPTURE(text);
        ChunkedScanner s;
        s.feed(b);
        CHECK(s.state() == ChunkedScanner::State::Error);
    }
}
