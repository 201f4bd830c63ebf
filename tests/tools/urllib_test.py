"""Python's urllib.request, https and plain http from local servers: through
the egress proxy (CONNECT, absolute-form GET) when the proxy variables are
set, through the connect broker when they are unset. See support.py for the
runs and variants."""

import os
import uuid

import support
from support import check

FETCH = """
import sys, urllib.request
out = sys.argv[1]
for i, url in enumerate(sys.argv[2:]):
    with urllib.request.urlopen(url, timeout=10) as r, open("%s/%d.txt" % (out, i), "wb") as f:
        f.write(r.read())
"""


def body(lab):
    support.require(support.PYTHON, "openssl")
    token = "fetched through mxc " + uuid.uuid4().hex + "\n"
    lab.www_file("hello.txt", token)
    https, http = lab.serve(tls=True), lab.serve(tls=False)

    def command(out, caches):
        argv = [support.PYTHON, "-c", FETCH, out, https.url("/hello.txt"), http.url("/hello.txt")]
        return argv, {"SSL_CERT_FILE": lab.ca}

    def verify(out, r):
        for i in range(2):
            got = os.path.join(out, "%d.txt" % i)
            check(os.path.exists(got), "no %s" % got)
            with open(got) as f:
                check(f.read() == token, "%s differs from the served file" % got)

    lab.prove([https, http], command, verify, denied_says={"proxy": "403", "connect": "Connection refused"})


if __name__ == "__main__":
    support.run_test(body)
