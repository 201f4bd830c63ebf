"""`npm install` from a minimal registry (a package document and its
tarball) on a local HTTPS server: through the egress proxy when the proxy
variables are set, through the connect broker when they are unset. See
support.py for the runs and variants.

Through the proxy the registry is https://localhost:PORT/, not an address:
npm's proxy agents (https-proxy-agent 7.0.6, socks-proxy-agent 8.0.5) drop
`host` and set no servername when the target is an IP address, so Node checks
the server's certificate against "localhost" and npm fails with
ERR_TLS_CERT_ALTNAME_INVALID through any proxy (dist/index.js,
setServernameFromNonIpHost and the tls.connect after CONNECT). Real
registries have names, so this is the realistic case anyway: the rule pair
localhost:PORT + 127.0.0.1:PORT (a name rule never reaches loopback by
itself). Its denied run keeps the 127.0.0.1:PORT rule: with no loopback rule
at all, NO_PROXY would keep "localhost" and npm would go straight to the
sandbox's own empty loopback without asking the proxy. With it, NO_PROXY is
empty, npm sends CONNECT localhost:PORT, and the proxy must refuse the name.

Without the proxy variables npm connects by itself, so an address works (no
proxy agent in the way): the registry is on the lab's address like the other
tools'. localhost cannot serve that variant: its address is the sandbox's own
loopback, where a denied connect() stays, never decided by mxc. A registry by
name without a proxy needs the DNS stub: the names variant
(tools.IDENTITY.npm.names)."""

import base64
import hashlib
import io
import json
import os
import tarfile
import uuid

import support
from support import check

NAME = "mxcprobe"
VERSION = "1.0.0"
# Not under /NAME/-/: /NAME is the package document, a file.
TARBALL = "/tarballs/%s-%s.tgz" % (NAME, VERSION)


def make_tarball(files):
    """A package tarball as `npm pack` lays it out: everything under package/."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo("package/" + path)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def registry(lab, server, tarball, manifest):
    """The package document for `server`, under its own prefix (the tarball
    URL in it is absolute): the registry URL to give npm."""
    prefix = "registry-%s-%d" % (server.host, server.port)
    version = dict(manifest, dist={
        "tarball": server.url(TARBALL),
        "shasum": hashlib.sha1(tarball).hexdigest(),
        "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode(),
    })
    lab.www_file("%s/%s" % (prefix, NAME), json.dumps({"name": NAME, "dist-tags": {"latest": VERSION},
                                                       "versions": {VERSION: version}}))
    return server.url("/%s/" % prefix)


def body(lab):
    support.require("npm", "openssl")
    exported = "installed through mxc " + uuid.uuid4().hex
    index_js = "module.exports = %s;\n" % json.dumps(exported)
    manifest = {"name": NAME, "version": VERSION, "main": "index.js"}
    tarball = make_tarball({"package.json": json.dumps(manifest), "index.js": index_js})
    lab.www_file(TARBALL.lstrip("/"), tarball)

    def install(url):
        def command(out, caches):
            with open(os.path.join(out, "package.json"), "w") as f:
                json.dump({"name": "consumer", "version": "0.0.0", "private": True}, f)
            argv = ["npm", "install", "--prefix", out, "--registry", url, "--cafile", lab.ca,
                    "--cache", caches["npm"], "--no-audit", "--no-fund", "--no-update-notifier",
                    "--fetch-retries", "0", "--fetch-timeout", "10000", NAME]
            return argv, {}
        return command

    def verify(out, r):
        got = os.path.join(out, "node_modules", NAME, "index.js")
        check(os.path.exists(got), "no %s" % got)
        with open(got) as f:
            check(f.read() == index_js, "%s differs from the served one" % got)
        loaded = lab.checked(["node", "-e", "process.stdout.write(require(%s))" % json.dumps(NAME)], cwd=out)
        check(loaded == exported, "require(%r) gave %r" % (NAME, loaded))

    if "proxy-env" in lab.variants:
        by_name = lab.serve(address="127.0.0.1", name="localhost")
        lab.prove([by_name], install(registry(lab, by_name, tarball, manifest)), verify,
                  via={"proxy-env": "proxy"}, denied_allow={"proxy-env": ["127.0.0.1:%d" % by_name.port]})
    server = lab.serve()
    lab.prove([server], install(registry(lab, server, tarball, manifest)), verify,
              via={"no-proxy-env": "connect", support.NAMES: "connect"},
              denied_says={"connect": "ECONNREFUSED", "dns": "ENOTFOUND"})


if __name__ == "__main__":
    support.run_test(body)
