"""Unix sockets (issue 11, Build item 4): an HTTP service on a pathname unix
socket on this host, the way the Docker API or a database's local socket is
served, reached by curl --unix-socket and by a Python socket client.

Both sockets live in one directory the sandbox can read (--allow-read): a
read-only bind does not stop connect(), so only mxc's [network].unix can
tell them apart. The profile extends `build` with [network].unix naming the
first socket only. Runs, per client:

  bare           without mxc: both sockets answer (the control);
  allowed        the profile: the allowed socket answers, the server saw the
                 request, the audit has an allow ("proto": "unix",
                 "via": "connect") for its path;
  denied         the profile, the other socket in the same directory: the
                 client fails at once, that server saw nothing, the audit has
                 a deny for its path and no allow, and mxc's stderr has its
                 "mxc: blocked unix socket PATH" line;
  denied-no-rule `build` alone (no [network].unix), the first socket: the
                 same refusal.

Exits 77 (ctest: skipped) while mxc has no [network].unix (no --allow-unix
in `mxc exec --help`)."""

import os
import socketserver
import http.server
import threading
import time
import uuid

import support
from support import Failure, check, describe

PY_CLIENT = """
import socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.sendall(b"GET /ping HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\\r\\n\\r\\n")
assert head.startswith(b"HTTP/1.0 200") or head.startswith(b"HTTP/1.1 200"), head
open(out + "/got.txt", "wb").write(body)
"""


class _UnixHttpd(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path, body):
        self.body = body
        self.requests = []
        self.lock = threading.Lock()
        super().__init__(path, _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    def address_string(self):
        return "unix"  # client_address is "" on a unix socket

    def do_GET(self):
        with self.server.lock:
            self.server.requests.append("GET " + self.path)
        data = self.server.body.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


class UnixService:
    def __init__(self, path, body):
        self.path = path
        self._httpd = _UnixHttpd(path, body)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def requests(self):
        with self._httpd.lock:
            return list(self._httpd.requests)

    def forget(self):
        with self._httpd.lock:
            self._httpd.requests.clear()

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()


def body(lab):
    support.require("curl")
    r = lab.bare([lab.mxc, "exec", "--help"], {})
    if "--allow-unix" not in r.stdout + r.stderr:
        raise support.Skip("this mxc has no [network].unix (issue 11, Build item 4): "
                           "`mxc exec --help` has no --allow-unix")
    token = "served on a unix socket " + uuid.uuid4().hex
    sockets = lab._dir("sockets")
    allowed = UnixService(os.path.join(sockets, "allowed.sock"), token)
    other = UnixService(os.path.join(sockets, "other.sock"), token)
    lab.servers += [allowed, other]
    profile = os.path.join(lab.root, "unix.toml")
    with open(profile, "w") as f:
        f.write('schema = 1\nextends = ["%s"]\n\n[network]\nunix = ["%s"]\n' % (support.PROFILE, allowed.path))
    clients = {
        "curl": lambda path, out: ["curl", "--silent", "--show-error", "--fail", "--max-time", "10",
                                   "--unix-socket", path, "-o", out + "/got.txt", "http://localhost/ping"],
        "python": lambda path, out: [support.PYTHON, "-c", PY_CLIENT, path, out],
    }
    runs = [("bare", None, allowed), ("bare", None, other), ("allowed", profile, allowed),
            ("denied", profile, other), ("denied-no-rule", support.PROFILE, allowed)]
    for client, make in clients.items():
        for kind, prof, service in runs:
            name = "%s-%s-%s" % (client, kind, os.path.basename(service.path))
            out = lab._dir("ws", "out-" + name)
            argv = make(service.path, out)
            for s in (allowed, other):
                s.forget()
            start = time.monotonic()
            r = (lab.bare(argv, {}) if prof is None
                 else lab.sandboxed(argv, {}, [], profile=prof, extra=["--allow-read", sockets]))
            took = time.monotonic() - start
            print("%s run: status %d in %.1fs" % (name, r.returncode, took))
            what = "%s run of %s" % (name, " ".join(argv))
            got = os.path.join(out, "got.txt")
            events = [e for e in r.audit if e.get("event") == "net" and e.get("host") == service.path]
            if not kind.startswith("denied"):
                check(r.returncode == 0, "%s failed: %s" % (what, describe(r)))
                check(os.path.exists(got) and open(got).read() == token, "%s: wrong or no answer" % what)
                check(service.requests(), "%s: %s saw no request" % (what, service.path))
                if kind == "allowed":
                    hits = [e for e in events if e.get("decision") == "allow" and e.get("via") == "connect"
                            and e.get("proto") == "unix"]
                    check(hits, "%s: no audit allow via connect for %s (audit: %s)" % (what, service.path, r.audit))
                continue
            check(r.returncode != 0, "%s succeeded without a [network].unix rule: %s" % (what, describe(r)))
            check(not os.path.exists(got) or open(got).read() != token, "%s: the answer arrived" % what)
            for s in (allowed, other):
                check(not s.requests(), "%s: %s was reached: %s" % (what, s.path, s.requests()))
            check(not [e for e in events if e.get("decision") == "allow"], "%s: mxc allowed it: %s" % (what, events))
            check([e for e in events if e.get("decision") == "deny" and e.get("via") == "connect"
                   and e.get("proto") == "unix"],
                  "%s: no audit deny via connect for %s (audit: %s; %s)" % (what, service.path, r.audit, describe(r)))
            check("mxc: blocked unix socket %s " % service.path in r.stderr,
                  "%s: no 'mxc: blocked unix socket' line for %s: %s" % (what, service.path, describe(r)))
            check(took < support.REFUSED_WITHIN, "%s: took %.1fs to fail" % (what, took))
    lab.proven.append("unix sockets %s allowed, %s refused" % (allowed.path, other.path))


if __name__ == "__main__":
    support.run_test(body)
