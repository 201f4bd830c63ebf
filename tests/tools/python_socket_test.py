"""Python's socket.create_connection((host, port)), blocking, to a raw TCP
server on this host: it ignores the proxy variables, so the connect broker
carries it whatever they say. See support.py for the runs and variants."""

import os
import uuid

import support
from support import check

CLIENT = """
import socket, sys
host, port, token, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with socket.create_connection((host, port)) as s:
    s.sendall(b"PING %s\\n" % token.encode())
    reply = s.makefile("rb").readline()
with open(out + "/reply.txt", "wb") as f:
    f.write(reply)
"""


def body(lab):
    support.require(support.PYTHON)
    token = uuid.uuid4().hex
    server = lab.serve_tcp()

    def command(out, caches):
        return [support.PYTHON, "-c", CLIENT, server.host, str(server.port), token, out], {}

    def verify(out, r):
        got = os.path.join(out, "reply.txt")
        check(os.path.exists(got), "no %s" % got)
        with open(got) as f:
            check(f.read() == "PONG %s\n" % token, "%s is not the server's reply" % got)

    lab.prove([server], command, verify, via=support.PROXY_BLIND,
              denied_says={"connect": "ConnectionRefusedError", "dns": "socket.gaierror"})


if __name__ == "__main__":
    support.run_test(body)
