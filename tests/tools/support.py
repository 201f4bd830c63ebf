"""Shared helpers for the tool tests: git, pip, npm and Python's urllib,
unmodified, fetching from local servers through mxc's egress proxy.

    TOOL_test.py --mxc BIN --source DIR [--as caller|unprivileged]

Each test serves what its tool fetches from an HTTPS server on the host's
127.0.0.2 (Python's http.server behind the ssl module; a CA made with openssl
for this run, the server certificate with that IP in its SAN) and runs the
same command three times (Lab.prove):

  bare     without mxc: the tool and the server work, so a broken tool or
           fixture cannot look like a sandbox that works;
  allowed  in `mxc exec -p build --net allowlist --allow-net 127.0.0.2:PORT`:
           the tool gets the same result, the server saw the requests, and the
           audit log has an "allow" for that address (proto "connect" for
           https, "http" for plain http), so the proxy really carried them;
  denied   the same without the rule: the tool fails, the artifact is absent,
           the server saw nothing, and the audit log has a "deny".

Why 127.0.0.2: the sandbox has its own loopback, so mxc's default NO_PROXY is
"localhost,127.0.0.1,::1". An explicit rule that targets the host's loopback
(127.0.0.0/8, ::1) makes mxc clear NO_PROXY (compile_allowlist in
src/platform/linux/plan.cpp), so an allowed 127.0.0.1 works as well; but in
the denied run NO_PROXY keeps 127.0.0.1, the tool would connect to the
sandbox's own empty loopback and fail with "connection refused" without ever
asking the proxy. 127.0.0.2 is on the host's lo and in no NO_PROXY, so both
runs go through the proxy and the denial is the proxy's. (npm cannot use an
address through any proxy; npm_test.py uses localhost and says why.)

The profile is `build`, the one CI steps that run these tools use: HOME is a
fake home outside the workspace, and the caches go to ~/.npm and ~/.cache/pip,
its cache write rules (one fresh cache per run, so no run is served from an
earlier run's cache).

The harness (--as, re-running as mxc-test under root, Failure, check) is
tests/recipes/support.py's.
"""

import functools
import hashlib
import http.server
import importlib.util
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_recipes_support():
    path = os.path.join(HERE, "..", "recipes", "support.py")
    spec = importlib.util.spec_from_file_location("recipes_support", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_recipes = _load_recipes_support()
Failure = _recipes.Failure
check = _recipes.check
describe = _recipes.describe
PYTHON = _recipes.PYTHON

LAB_IP = "127.0.0.2"
PROFILE = "build"
# Variables default.toml passes and mxc opens the named file for (tls_trust.hpp).
TLS_TRUST_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE",
                       "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "PIP_CERT")
TOOL_TIMEOUT = 30  # seconds per run; each test is three runs and well under this


def run_test(body):
    """Entry point of a TOOL_test.py: body(lab) makes its checks."""
    args = _recipes.parse_args()
    _recipes.become(args, [])

    def run():
        with Lab(args.mxc) as lab:
            body(lab)

    _recipes.main(args, run)


def require(*programs):
    for p in programs:
        check(shutil.which(p) or os.path.exists(p),
              "%s not found: run scripts/install-deps.sh" % p)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class _Httpd(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, directory, tls):
        self.tls = tls
        self.requests = []
        self.lock = threading.Lock()
        super().__init__((address, 0), functools.partial(_Handler, directory=directory))

    def finish_request(self, request, client_address):
        # Runs in the request's own thread, so a client that never finishes
        # its handshake holds up nobody else.
        request.settimeout(15)
        try:
            if self.tls:
                request = self.tls.wrap_socket(request, server_side=True)
            super().finish_request(request, client_address)
        except (ssl.SSLError, OSError) as e:
            print("tools server: %s: %s" % (client_address, e), file=sys.stderr)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_request(self, code="-", size="-"):
        with self.server.lock:
            self.server.requests.append("%s %s %s" % (self.command, self.path, code))

    def log_message(self, fmt, *args):
        print("tools server: " + fmt % args, file=sys.stderr)

    def guess_type(self, path):
        # Files without an extension are JSON documents (the npm packument).
        if "." not in os.path.basename(path):
            return "application/json"
        return super().guess_type(path)


class Server:
    """Serves a directory on `address` (random port), over TLS when given a
    context. Clients reach it as `name` (an address, or "localhost")."""

    def __init__(self, directory, tls=None, address=LAB_IP, name=None):
        self._httpd = _Httpd(address, directory, tls)
        self.port = self._httpd.server_address[1]
        self.host = name or address
        self.scheme = "https" if tls else "http"
        # What the proxy's audit event calls the way the client came in.
        self.proto = "connect" if tls else "http"
        # A name rule never reaches loopback by itself: it also takes an
        # explicit rule for the address the name resolves to.
        self.rules = ["%s:%d" % (a, self.port) for a in dict.fromkeys([self.host, address])]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path="/"):
        return "%s://%s:%d%s" % (self.scheme, self.host, self.port, path)

    def requests(self):
        with self._httpd.lock:
            return list(self._httpd.requests)

    def forget(self):
        with self._httpd.lock:
            self._httpd.requests.clear()

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()


class Lab:
    """A temp dir with a CA, served files, a fake home and a workspace; removed on exit.

    Not under /tmp: the sandbox has a private /tmp that would hide it. Made
    by the identity under test (run_test re-runs as mxc-test first), so that
    user owns and can read all of it."""

    def __init__(self, mxc):
        self.mxc = os.path.abspath(mxc)
        self.root = tempfile.mkdtemp(prefix="mxc-tools-", dir="/var/tmp")
        self.servers = []
        self.runs = 0
        self.pki = self._dir("pki")      # keys: never visible in the sandbox
        self.trust = self._dir("trust")  # the CA certificate, the only part the sandbox reads
        self.www = self._dir("www")      # what the servers serve
        self.home = self._dir("home")
        self.ws = self._dir("ws")
        self.ca = os.path.join(self.trust, "ca.pem")
        self.env = {
            "HOME": self.home,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
        }
        self._make_pki()

    def _dir(self, *parts):
        p = os.path.join(self.root, *parts)
        os.makedirs(p, exist_ok=True)
        return p

    def close(self):
        for s in self.servers:
            s.close()
        # The sandbox maps our uid to itself: what the tools wrote is ours.
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- fixtures ----------------------------------------------------------

    def checked(self, argv, cwd=None):
        """Runs a fixture-building command outside the sandbox; stdout, or Failure."""
        r = self._run(argv, dict(self.env), cwd or self.root)
        check(r.returncode == 0, "fixture command %s failed: %s" % (argv, describe(r)))
        return r.stdout

    def _make_pki(self):
        ca_key = os.path.join(self.pki, "ca.key")
        key = os.path.join(self.pki, "server.key")
        csr = os.path.join(self.pki, "server.csr")
        cert = os.path.join(self.pki, "server.pem")
        ext = os.path.join(self.pki, "server.ext")
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        self.checked(["openssl", "req", "-x509"] + ec + [
            "-keyout", ca_key, "-out", self.ca, "-days", "2", "-subj", "/CN=mxc tools test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        # One certificate for every server: LAB_IP, and localhost for npm_test.py.
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:%s,DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n"
                    "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                    "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n" % LAB_IP)
        self.checked(["openssl", "req"] + ec + ["-keyout", key, "-out", csr, "-subj", "/CN=" + LAB_IP])
        self.checked(["openssl", "x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", ca_key,
                      "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert])
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert, key)

    def serve(self, tls=True, address=LAB_IP, name=None):
        """A server for self.www: HTTPS with the lab's certificate, or plain HTTP."""
        s = Server(self.www, self.tls if tls else None, address, name)
        self.servers.append(s)
        return s

    def www_file(self, rel, data):
        p = os.path.join(self.www, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return p

    # ---- running the tool --------------------------------------------------

    def _run(self, argv, env, cwd):
        try:
            return subprocess.run(argv, cwd=cwd, env=env, timeout=TOOL_TIMEOUT, text=True,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        except subprocess.TimeoutExpired:
            raise Failure("%s took longer than %ds" % (argv, TOOL_TIMEOUT))

    def bare(self, argv, env):
        """argv without mxc; self.env has no proxy variables, so it connects directly."""
        e = dict(self.env)
        e.update(env)
        r = self._run(argv, e, self.ws)
        r.audit = []
        return r

    def sandboxed(self, argv, env, allow):
        """argv in `mxc exec -p build --net allowlist`, env passed with --env,
        the CA readable; r.audit is the run's audit events.

        A TLS trust variable (SSL_CERT_FILE, GIT_SSL_CAINFO, PIP_CERT) is
        given the way a user behind a TLS-inspecting proxy has it: in the
        caller's environment, with no rule for the CA. The profile passes it
        and mxc makes the file it names readable; only a tool given the CA
        by flag (npm --cafile) gets --allow-read."""
        self.runs += 1
        audit = os.path.join(self.root, "audit-%d.jsonl" % self.runs)
        cmd = [self.mxc, "exec", "-p", PROFILE, "--net", "allowlist", "-w", self.ws, "--audit", audit]
        caller_env = dict(self.env)
        trust = {n: v for n, v in env.items() if n in TLS_TRUST_VARIABLES}
        caller_env.update(trust)
        if not trust:
            cmd += ["--allow-read", self.trust]
        for rule in allow:
            cmd += ["--allow-net", rule]
        for name, value in env.items():
            if name not in trust:
                cmd += ["--env", "%s=%s" % (name, value)]
        r = self._run(cmd + ["--"] + argv, caller_env, self.ws)
        r.audit = []
        if os.path.exists(audit):
            with open(audit) as f:
                r.audit = [json.loads(line) for line in f if line.strip()]
        return r

    def net_events(self, r, decision):
        return [e for e in r.audit if e.get("event") == "net" and e.get("decision") == decision]

    def prove(self, servers, command, verify, denied_says=None, denied_allow=()):
        """The bare / allowed / denied runs (see the top of this file).

        command(out, caches) -> (argv, env): the tool fetching into the empty
        directory `out`; caches["npm"] and caches["pip"] are fresh directories
        under ~/.npm and ~/.cache/pip for the tools that keep a cache.
        verify(out, r): raises Failure unless the fetched content is right.
        denied_says: text the denied run's output must contain (the tool
        reporting the proxy's 403), where the tool reports it.
        denied_allow: rules the denied run does get (see npm_test.py)."""
        every_rule = [rule for s in servers for rule in s.rules]
        for name, allow in (("bare", None), ("allowed", every_rule), ("denied", list(denied_allow))):
            out = self._dir("ws", "out-" + name)
            cache = self._dir("home", ".cache", "pip", name)
            npm_cache = self._dir("home", ".npm", name)
            argv, env = command(out, {"pip": cache, "npm": npm_cache})
            for s in servers:
                s.forget()
            start = time.monotonic()
            r = self.bare(argv, env) if allow is None else self.sandboxed(argv, env, allow)
            print("%s run: status %d in %.1fs" % (name, r.returncode, time.monotonic() - start))
            what = "%s run of %s" % (name, " ".join(argv))
            if name != "denied":
                check(r.returncode == 0, "%s failed: %s" % (what, describe(r)))
                verify(out, r)
                for s in servers:
                    check(s.requests(), "%s: %s saw no request" % (what, s.url()))
                if name == "allowed":
                    self._check_allowed(what, r, servers)
                continue
            check(r.returncode != 0, "%s succeeded without an allow rule: %s" % (what, describe(r)))
            try:
                verify(out, r)
            except Failure:
                pass
            else:
                raise Failure("%s: the content arrived without an allow rule" % what)
            for s in servers:
                check(not s.requests(), "%s: %s was reached without an allow rule: %s"
                      % (what, s.url(), s.requests()))
            check(not self.net_events(r, "allow"), "%s: the proxy allowed %s"
                  % (what, self.net_events(r, "allow")))
            denied = [e for e in self.net_events(r, "deny")
                      if (e.get("host"), e.get("port")) in [(s.host, s.port) for s in servers]]
            check(denied, "%s: no audit deny for %s (audit: %s; %s)"
                  % (what, [s.url() for s in servers], r.audit, describe(r)))
            if denied_says:
                check(denied_says in r.stdout + r.stderr,
                      "%s: output lacks %r: %s" % (what, denied_says, describe(r)))

    def _check_allowed(self, what, r, servers):
        allowed = self.net_events(r, "allow")
        for s in servers:
            hits = [e for e in allowed if e.get("host") == s.host and e.get("port") == s.port]
            check(hits, "%s: no audit allow for %s (audit: %s)" % (what, s.url(), r.audit))
            for e in hits:
                check(e.get("rule") in s.rules and e.get("proto") == s.proto,
                      "%s: expected one of %s over %s, audit says %s" % (what, s.rules, s.proto, e))
                check(e.get("bytes_down", 0) > 0, "%s: nothing came back through the proxy: %s" % (what, e))
