"""Python's socket.create_connection((host, port)), blocking, to raw TCP
servers on this host, over IPv4 and (when this host has a global IPv6
address) IPv6: it ignores the proxy variables, so the connect broker carries
it whatever they say. The client tries every server even after a refusal,
so each denied run must show one refusal per address family. A third server
on the host's 127.0.0.2 checks the loopback rule: allowed, the broker
connects to the host's loopback ("--allow-net 127.0.0.2:PORT"); denied, the
connect() stays in the sandbox's own empty loopback (refused there, nothing
to audit) and the host's server sees nothing. See support.py for the runs
and variants."""

import os
import uuid

import support
from support import check

CLIENT = """
import socket, sys
token, out = sys.argv[1], sys.argv[2]
targets = sys.argv[3:]
failed = 0
for i in range(0, len(targets), 2):
    try:
        with socket.create_connection((targets[i], int(targets[i + 1]))) as s:
            s.sendall(b"PING %s\\n" % token.encode())
            reply = s.makefile("rb").readline()
    except OSError as e:
        print("%s port %s: %r" % (targets[i], targets[i + 1], e), file=sys.stderr)
        failed += 1
        continue
    with open("%s/reply-%d.txt" % (out, i // 2), "wb") as f:
        f.write(reply)
sys.exit(1 if failed else 0)
"""


def body(lab):
    support.require(support.PYTHON)
    token = uuid.uuid4().hex
    servers = [lab.serve_tcp()]
    v6 = support.host_address6() if support.NAMES not in lab.variants else None
    if v6:
        servers.append(lab.serve_tcp(address=v6))
    else:
        print("no global IPv6 address on this host: IPv4 only")
    if support.NAMES not in lab.variants:
        # The host's loopback: reached only through the explicit IP rule; in
        # the denied runs the connect() stays in the sandbox's own loopback.
        servers.append(lab.serve_tcp(address="127.0.0.2"))

    def command(out, caches):
        argv = [support.PYTHON, "-c", CLIENT, token, out]
        for s in servers:
            argv += [s.host, str(s.port)]
        return argv, {}

    def verify(out, r):
        for i in range(len(servers)):
            got = os.path.join(out, "reply-%d.txt" % i)
            check(os.path.exists(got), "no %s" % got)
            with open(got) as f:
                check(f.read() == "PONG %s\n" % token, "%s is not the server's reply" % got)

    lab.prove(servers, command, verify, via=support.PROXY_BLIND,
              denied_says={"connect": "ConnectionRefusedError", "dns": "gaierror"}, deny_each=True)


if __name__ == "__main__":
    support.run_test(body)
