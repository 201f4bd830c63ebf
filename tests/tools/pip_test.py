"""`pip download` from a PEP 503 simple index on a local HTTPS server,
serving a wheel made here: through the egress proxy when the proxy variables
are set, through the connect broker when they are unset. See support.py for
the runs and variants."""

import base64
import hashlib
import io
import os
import uuid
import zipfile

import support
from support import check

NAME = "mxcprobe"
VERSION = "1.0"


def make_wheel(token):
    """A minimal pure-Python wheel whose module holds `token`."""
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    files = {
        NAME + "/__init__.py": "TOKEN = %r\n" % token,
        dist_info + "/METADATA": "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (NAME, VERSION),
        dist_info + "/WHEEL": ("Wheel-Version: 1.0\nGenerator: mxc-tools-test\n"
                               "Root-Is-Purelib: true\nTag: py3-none-any\n"),
    }
    record = ""
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest())
        record += "%s,sha256=%s,%d\n" % (path, digest.rstrip(b"=").decode(), len(text.encode()))
    files[dist_info + "/RECORD"] = record + dist_info + "/RECORD,,\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, text in files.items():
            z.writestr(path, text)
    return buf.getvalue()


def body(lab):
    support.require(support.PYTHON, "openssl")
    wheel_name = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    wheel = make_wheel(uuid.uuid4().hex)
    lab.www_file("packages/" + wheel_name, wheel)
    lab.www_file("simple/index.html", '<a href="%s/">%s</a>\n' % (NAME, NAME))
    lab.www_file("simple/%s/index.html" % NAME, '<a href="../../packages/%s#sha256=%s">%s</a>\n'
                 % (wheel_name, support.sha256(wheel), wheel_name))
    server = lab.serve()

    def command(out, caches):
        argv = [support.PYTHON, "-m", "pip", "download", "--no-deps", "--retries", "0",
                "--timeout", "10", "--index-url", server.url("/simple/"), "-d", out, NAME]
        return argv, {"PIP_CERT": lab.ca, "PIP_CACHE_DIR": caches["pip"], "PIP_CONFIG_FILE": "/dev/null",
                      "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}

    def verify(out, r):
        got = os.path.join(out, wheel_name)
        check(os.path.exists(got), "no %s" % got)
        with open(got, "rb") as f:
            check(f.read() == wheel, "%s differs from the served wheel" % got)

    # pip reports a refused index page only as "no matching distribution";
    # the audit log's deny is the evidence.
    lab.prove([server], command, verify)


if __name__ == "__main__":
    support.run_test(body)
