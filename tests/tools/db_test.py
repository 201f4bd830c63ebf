"""A raw-TCP client/server pair standing in for a database: a server on this
host speaking a tiny line protocol (greeting, AUTH, GET, QUIT), and a client
inside written like a driver: socket options set before connecting
(TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE, TCP_USER_TIMEOUT), a non-blocking
connect through asyncio (EINPROGRESS, then completion), and a check after it
that the connected socket still has those options, since the connect broker
replaces the sandbox's descriptor with the one it connected. Drivers ignore
the proxy variables, so the broker carries it whatever they say. See
support.py for the runs and variants."""

import os
import uuid

import support
from support import check

USER, PASSWORD = "tools", "s3cret-" + uuid.uuid4().hex[:8]

CLIENT = """
import asyncio, socket, sys
host, port, user, password, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
WANT = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1), (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
        (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 77), (socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, 9000)]

async def main():
    loop = asyncio.get_running_loop()
    family, _, _, _, addr = (await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM))[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    for level, name, value in WANT:
        sock.setsockopt(level, name, value)
    sock.setblocking(False)
    await asyncio.wait_for(loop.sock_connect(sock, addr), 10)
    got = [(n, sock.getsockopt(l, n)) for l, n, v in WANT]
    assert got == [(n, v) for l, n, v in WANT], "socket options lost in connect: %s" % got
    reader, writer = await asyncio.open_connection(sock=sock)
    async def ask(line):
        if line:
            writer.write(line.encode() + b"\\n")
            await writer.drain()
        return (await asyncio.wait_for(reader.readline(), 10)).decode().rstrip("\\n")
    hello = await ask(None)
    assert hello.startswith("MXCDB "), hello
    assert await ask("AUTH %s %s" % (user, password)) == "OK", "auth refused"
    value = await ask("GET probe")
    assert value.startswith("VALUE "), value
    await ask("QUIT")
    writer.close()
    with open(out + "/value.txt", "w") as f:
        f.write(value[6:] + "\\n")

asyncio.run(main())
"""


class Database:
    """The server side: one session per connection (the greeting is sent
    first, as most databases do, so respond(None) is the greeting)."""

    def __init__(self, value):
        self.value = value
        self.authed = False

    def respond(self, line):
        if line is None:
            return "MXCDB 1.0 ready"
        if line == "AUTH %s %s" % (USER, PASSWORD):
            self.authed = True
            return "OK"
        if line.startswith("AUTH "):
            return "ERR auth"
        if line == "GET probe":
            return "VALUE " + self.value if self.authed else "ERR not authenticated"
        if line == "QUIT":
            return "BYE"
        return None


def body(lab):
    support.require(support.PYTHON)
    value = "row from the database " + uuid.uuid4().hex
    server = lab.serve_tcp(lambda: Database(value).respond)

    def command(out, caches):
        return [support.PYTHON, "-c", CLIENT, server.host, str(server.port), USER, PASSWORD, out], {}

    def verify(out, r):
        got = os.path.join(out, "value.txt")
        check(os.path.exists(got), "no %s" % got)
        with open(got) as f:
            check(f.read() == value + "\n", "%s is not the stored value" % got)
        check(any(line.startswith("AUTH ") for line in server.requests()), "the server saw no AUTH")

    lab.prove([server], command, verify, via=support.PROXY_BLIND,
              denied_says={"connect": "ConnectionRefusedError", "dns": "socket.gaierror"})


if __name__ == "__main__":
    support.run_test(body)
