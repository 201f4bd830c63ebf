"""`git clone https://...` from a dumb-HTTP repository (git update-server-info)
on a local HTTPS server: through the egress proxy when the proxy variables
are set, through the connect broker when they are unset. See support.py for
the runs and variants."""

import os
import uuid

import support
from support import check


def body(lab):
    support.require("git", "openssl")
    token = "cloned through mxc " + uuid.uuid4().hex
    src = os.path.join(lab.root, "src")
    ident = ["-c", "user.name=mxc tools test", "-c", "user.email=tools@mxc.invalid"]
    lab.checked(["git", "init", "-q", "-b", "main", src])
    with open(os.path.join(src, "README.md"), "w") as f:
        f.write(token + "\n")
    lab.checked(["git", "-C", src, "add", "README.md"])
    lab.checked(["git"] + ident + ["-C", src, "commit", "-q", "-m", "probe"])
    head = lab.checked(["git", "-C", src, "rev-parse", "HEAD"]).strip()
    bare_repo = os.path.join(lab.www, "repo.git")
    lab.checked(["git", "clone", "-q", "--bare", src, bare_repo])
    lab.checked(["git", "-C", bare_repo, "update-server-info"])
    server = lab.serve()

    def command(out, caches):
        argv = ["git", "clone", "-q", server.url("/repo.git"), os.path.join(out, "repo")]
        return argv, {"GIT_SSL_CAINFO": lab.ca, "GIT_TERMINAL_PROMPT": "0"}

    def verify(out, r):
        readme = os.path.join(out, "repo", "README.md")
        check(os.path.exists(readme), "no %s" % readme)
        with open(readme) as f:
            check(f.read() == token + "\n", "README.md differs from the served one")
        cloned = lab.checked(["git", "-c", "safe.directory=*", "-C", os.path.join(out, "repo"),
                              "rev-parse", "HEAD"]).strip()
        check(cloned == head, "cloned HEAD %s, served %s" % (cloned, head))

    lab.prove([server], command, verify, denied_says={"proxy": "403", "connect": "Couldn't connect to server"})


if __name__ == "__main__":
    support.run_test(body)
