"""curl, https and plain http from local servers: through the egress proxy
(CONNECT, absolute-form GET) when the proxy variables are set, through the
connect broker when they are unset. The lab's CA comes in CURL_CA_BUNDLE.
See support.py for the runs and variants."""

import os
import uuid

import support
from support import check


def body(lab):
    support.require("curl", "openssl")
    token = "fetched through mxc " + uuid.uuid4().hex + "\n"
    lab.www_file("hello.txt", token)
    https, http = lab.serve(tls=True), lab.serve(tls=False)

    def command(out, caches):
        argv = ["curl", "--silent", "--show-error", "--fail", "--max-time", "10",
                "-o", os.path.join(out, "0.txt"), https.url("/hello.txt"),
                "-o", os.path.join(out, "1.txt"), http.url("/hello.txt")]
        return argv, {"CURL_CA_BUNDLE": lab.ca}

    def verify(out, r):
        for i in range(2):
            got = os.path.join(out, "%d.txt" % i)
            check(os.path.exists(got), "no %s" % got)
            with open(got) as f:
                check(f.read() == token, "%s differs from the served file" % got)

    # curl 7.88: "CONNECT tunnel failed, response 403"; "Failed to connect
    # to ADDRESS port PORT after 0 ms: Couldn't connect to server".
    lab.prove([https, http], command, verify,
              denied_says={"proxy": "403", "connect": "Couldn't connect to server",
                           "dns": "Could not resolve host"})


if __name__ == "__main__":
    support.run_test(body)
