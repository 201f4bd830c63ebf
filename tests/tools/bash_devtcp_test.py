"""bash's /dev/tcp/HOST/PORT redirection to a raw TCP server on this host:
bash knows nothing of proxies, so the connect broker carries it whatever the
proxy variables say (issue 11: it had no route before). See support.py for
the runs and variants."""

import os
import uuid

import support
from support import check

SCRIPT = """
exec 3<>"/dev/tcp/$1/$2" || exit 1
printf 'PING %s\\n' "$3" >&3
IFS= read -r reply <&3 || exit 1
printf '%s\\n' "$reply" > "$4/reply.txt"
"""


def body(lab):
    support.require("/bin/bash")
    token = uuid.uuid4().hex
    server = lab.serve_tcp()

    def command(out, caches):
        return ["/bin/bash", "-c", SCRIPT, "devtcp", server.host, str(server.port), token, out], {}

    def verify(out, r):
        got = os.path.join(out, "reply.txt")
        check(os.path.exists(got), "no %s" % got)
        with open(got) as f:
            check(f.read() == "PONG %s\n" % token, "%s is not the server's reply" % got)

    lab.prove([server], command, verify, via=support.PROXY_BLIND,
              denied_says={"connect": "Connection refused"})


if __name__ == "__main__":
    support.run_test(body)
