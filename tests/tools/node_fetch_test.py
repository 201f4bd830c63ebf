"""Node's built-in fetch() (undici) over https from a local server. It ignores
the proxy variables, so with or without them it connect()s by itself and only
the connect broker can carry it (issue 11: it failed with EAI_AGAIN before).
The lab's CA comes in NODE_EXTRA_CA_CERTS. See support.py for the runs and
variants."""

import os
import uuid

import support
from support import check

FETCH = """
const [out, url] = process.argv.slice(1);
fetch(url).then(async (r) => {
  if (!r.ok) throw new Error("HTTP " + r.status);
  require("fs").writeFileSync(out + "/got.txt", await r.text());
}).catch((e) => {
  console.error("fetch failed:", e.message, e.cause ? e.cause.code + " " + e.cause.message : "");
  process.exit(1);
});
"""


def body(lab):
    support.require("node", "openssl")
    token = "fetched through mxc " + uuid.uuid4().hex + "\n"
    lab.www_file("hello.txt", token)
    server = lab.serve()

    def command(out, caches):
        return ["node", "-e", FETCH, out, server.url("/hello.txt")], {"NODE_EXTRA_CA_CERTS": lab.ca}

    def verify(out, r):
        got = os.path.join(out, "got.txt")
        check(os.path.exists(got), "no %s" % got)
        with open(got) as f:
            check(f.read() == token, "%s differs from the served file" % got)

    lab.prove([server], command, verify, via=support.PROXY_BLIND,
              denied_says={"connect": "ECONNREFUSED", "dns": "ENOTFOUND"})


if __name__ == "__main__":
    support.run_test(body)
