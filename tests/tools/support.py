"""Shared helpers for the tool tests: unmodified clients (git, pip, npm,
curl, Node's fetch(), Python's urllib and sockets, bash's /dev/tcp, a raw-TCP
"database" client) reaching servers on this host through mxc's egress proxy
and through its connect broker (issue 11).

    TOOL_test.py --mxc BIN --source DIR [--as caller|unprivileged] [--names]

Each test serves what its tool fetches from a server on this host (HTTPS:
Python's http.server behind the ssl module, a CA made with openssl for this
run, the server certificate with the address in its SAN; raw TCP: TcpServer)
and runs the same command several times (Lab.prove):

  bare     without mxc: the tool and the server work, so a broken tool or
           fixture cannot look like a sandbox that works;
then for each variant, in `mxc exec -p build --net allowlist`:
  allowed  with `--allow-net ADDRESS:PORT`: the tool gets the same result,
           the server saw the requests, and the audit log has an "allow" for
           that address from the path that carried it ("via": "proxy" with
           the proxy's proto and bytes, or "via": "connect" from the broker);
           no other path allowed it;
  denied   the same without the rule: the tool fails, the artifact is absent,
           the server saw nothing, no path allowed it, the audit log has a
           "deny" from the path the tool took, and mxc's stderr has its
           "mxc: blocked HOST:PORT" (or "blocked name lookup of NAME") line;
           a refusal by the broker or the DNS stub must also come within
           REFUSED_WITHIN seconds.

The variants (tools.IDENTITY.TOOL runs the first two, tools.IDENTITY.TOOL.names
the third):

  proxy-env     mxc's proxy variables as mxc sets them (HTTP_PROXY,
                HTTPS_PROXY, ALL_PROXY, NO_PROXY and lowercase): clients that
                honour them go through the proxy, the rest (Node's fetch(),
                sockets, /dev/tcp) connect() and meet the broker;
  no-proxy-env  every one of them unset inside the sandbox (the command runs
                under `env -u ...`, since mxc sets them after [env]): every
                client connect()s and the broker decides;
  names         as no-proxy-env, but the client is given a name from the
                host's /etc/hosts that the sandbox can only learn from mxc's
                DNS stub (rules: the name and the address it resolves to, as
                a name rule never reaches loopback by itself); the denial is
                the stub's ("via": "dns"). Exits 77 (ctest: skipped) while mxc
                has no DNS stub.

Why this host's own address (e.g. eth0's), not a loopback one: a connect()
to 127.0.0.0/8 that no rule allows stays in the sandbox's own network
namespace, whose loopback is empty, so a denied run there would prove
nothing about the broker and leave no audit "deny". This host's addresses
are reachable only by an explicit IP rule (the broker and the proxy refuse
them otherwise), so both the allowed and the denied runs are decided by mxc.
The servers listen there on a random port for the few seconds of the test.
Without such an address the tests exit 77. (npm through the proxy needs a
name; npm_test.py uses localhost there and says why.)

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
import ipaddress
import json
import os
import re
import shutil
import socket
import socketserver
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

PROFILE = "build"
# Variables default.toml passes and mxc opens the named file for (tls_trust.hpp).
TLS_TRUST_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE",
                       "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "PIP_CERT")
# What mxc sets to point clients at its proxy (src/net/proxy_env.hpp).
PROXY_VARIABLES = tuple(n for v in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
                        for n in (v, v.lower()))
VARIANTS = ("proxy-env", "no-proxy-env")
NAMES = "names"
# Which path carries a client that honours the proxy variables.
PROXY_AWARE = {"proxy-env": "proxy", "no-proxy-env": "connect", NAMES: "connect"}
# ... and one that ignores them (Node's fetch(), sockets, /dev/tcp).
PROXY_BLIND = {"proxy-env": "connect", "no-proxy-env": "connect", NAMES: "connect"}
SKIP_STATUS = 77  # SKIP_RETURN_CODE in CMakeLists.txt
TOOL_TIMEOUT = 30  # seconds per run; each test is five runs and well under its ctest TIMEOUT
# A refusal by the broker or the stub is immediate; a tool that needs longer
# than this to report it is waiting on something else (a retry, a timeout).
REFUSED_WITHIN = 10


class Skip(Exception):
    """The feature a test needs is missing: exit SKIP_STATUS, never a pass."""


def run_test(body):
    """Entry point of a TOOL_test.py: body(lab) makes its checks."""
    args = _recipes.parse_args(lambda p: p.add_argument(
        "--names", action="store_true", help="the names variant (needs mxc's DNS stub)"))
    _recipes.become(args, ["--names"] if args.names else [])

    def run():
        try:
            with Lab(args.mxc, names=args.names) as lab:
                body(lab)
                check(lab.proven, "the test ran none of the variants %s" % (lab.variants,))
                print("proved: %s" % ", ".join(lab.proven))
        except Skip as e:
            print("SKIPPED: %s" % e)
            sys.exit(SKIP_STATUS)

    _recipes.main(args, run)


def require(*programs):
    for p in programs:
        check(shutil.which(p) or os.path.exists(p),
              "%s not found: run scripts/install-deps.sh" % p)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def host_address():
    """An IPv4 address of one of this host's interfaces that is not loopback."""
    ip = shutil.which("ip", path="/usr/sbin:/sbin:/usr/bin:/bin")
    if not ip:
        raise Skip("no `ip` command to find this host's addresses (iproute2)")
    out = subprocess.run([ip, "-o", "-4", "addr", "show", "scope", "global", "up"], text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    for m in re.finditer(r"\binet ([0-9.]+)/", out):
        if not ipaddress.ip_address(m.group(1)).is_loopback:
            return m.group(1)
    raise Skip("this host has no non-loopback IPv4 address; a denied connect() to loopback stays in "
               "the sandbox's own namespace, so mxc would never decide it")


def host_address6():
    """A global IPv6 address of one of this host's interfaces, or None."""
    ip = shutil.which("ip", path="/usr/sbin:/sbin:/usr/bin:/bin")
    if not ip:
        return None
    out = subprocess.run([ip, "-o", "-6", "addr", "show", "scope", "global", "up"], text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    m = re.search(r"\binet6 ([0-9a-fA-F:]+)/", out)
    return str(ipaddress.ip_address(m.group(1))) if m else None


def host_name():
    """(name, address): a name in the host's /etc/hosts, not localhost,
    that resolves to an IPv4 address here: one the sandbox's own hosts file
    lacks, so only a DNS stub can answer it."""
    try:
        with open("/etc/hosts") as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        words = line.split("#", 1)[0].split()
        for name in words[1:]:
            if name.startswith("localhost") or name.startswith("ip6-"):
                continue
            try:
                addr = socket.getaddrinfo(name, None, socket.AF_INET)[0][4][0]
            except OSError:
                continue
            return name, addr
    raise Skip("no name besides localhost in the host's /etc/hosts")


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


class _Endpoint:
    """What Lab.prove needs of a server: where it listens, what clients call
    it, the rules that allow it, and what it saw."""

    def __init__(self, address, name, port):
        self.address = address
        self.port = port
        self.host = name or address
        # A connect() to loopback that no rule sends to the host's stays in
        # the sandbox's own namespace: refused there, never decided by mxc.
        self.loopback = ipaddress.ip_address(address).is_loopback
        # A name rule never reaches loopback or this host's own addresses by
        # itself: it also takes an explicit rule for the address.
        self.rules = ["%s:%d" % ("[%s]" % a if ":" in a else a, self.port)
                      for a in dict.fromkeys([self.host, address])]

    def is_target(self, e):
        """Whether audit event e is about this server (by name or address)."""
        return e.get("host") in (self.host, self.address) and e.get("port") == self.port


class Server(_Endpoint):
    """Serves a directory on `address` (random port), over TLS when given a
    context. Clients reach it as `name` (an address, or a name)."""

    def __init__(self, directory, tls, address, name=None):
        self._httpd = _Httpd(address, directory, tls)
        super().__init__(address, name, self._httpd.server_address[1])
        self.scheme = "https" if tls else "http"
        # What the proxy's audit event calls the way the client came in.
        self.proto = "connect" if tls else "http"
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


class _TcpHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.request.settimeout(15)
        server = self.server
        with server.lock:
            server.seen.append("connection from %s:%d" % self.client_address[:2])
        respond = server.session()
        try:
            greeting = respond(None)
            if greeting is not None:
                self.wfile.write((greeting + "\n").encode())
                self.wfile.flush()
            for raw in self.rfile:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                with server.lock:
                    server.seen.append(line)
                reply = respond(line)
                if reply is None:
                    return
                self.wfile.write((reply + "\n").encode())
                self.wfile.flush()
        except OSError as e:
            print("tools tcp server: %s" % e, file=sys.stderr)


class _Tcpd(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self, address, session):
        self.session = session
        if ":" in address:
            self.address_family = socket.AF_INET6
        self.seen = []
        self.lock = threading.Lock()
        super().__init__((address, 0), _TcpHandler)


def pong(line):
    """A TcpServer session: "PING x" gets "PONG x", anything else a close."""
    return "PONG " + line[5:] if line is not None and line.startswith("PING ") else None


class TcpServer(_Endpoint):
    """A line-protocol server on `address` (random port). session() is
    called per connection and gives respond: respond(None) is the greeting
    (None for none), respond(line) the reply line, or None to close.
    requests() is every connection and line it saw."""

    proto = "tcp"

    def __init__(self, session, address, name=None):
        self._tcpd = _Tcpd(address, session)
        super().__init__(address, name, self._tcpd.server_address[1])
        self._thread = threading.Thread(target=self._tcpd.serve_forever, daemon=True)
        self._thread.start()

    def requests(self):
        with self._tcpd.lock:
            return list(self._tcpd.seen)

    def forget(self):
        with self._tcpd.lock:
            self._tcpd.seen.clear()

    def close(self):
        self._tcpd.shutdown()
        self._tcpd.server_close()


class Lab:
    """A temp dir with a CA, served files, a fake home and a workspace; removed on exit.

    Not under /tmp: the sandbox has a private /tmp that would hide it. Made
    by the identity under test (run_test re-runs as mxc-test first), so that
    user owns and can read all of it.

    names=False: the variants proxy-env and no-proxy-env, servers on this
    host's own address; names=True: the variant names, servers on the
    address of a name from the host's /etc/hosts, known by that name."""

    def __init__(self, mxc, names=False):
        self.mxc = os.path.abspath(mxc)
        self.servers = []
        self.runs = 0
        self.proven = []
        self.env = {
            "HOME": "/nonexistent",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
        }
        if names:
            self.variants = (NAMES,)
            self._require_dns_stub()
            self.name, self.addr = host_name()
        else:
            self.variants = VARIANTS
            self.name, self.addr = None, host_address()
        self.root = tempfile.mkdtemp(prefix="mxc-tools-", dir="/var/tmp")
        self.pki = self._dir("pki")      # keys: never visible in the sandbox
        self.trust = self._dir("trust")  # the CA certificate, the only part the sandbox reads
        self.www = self._dir("www")      # what the servers serve
        self.home = self._dir("home")
        self.ws = self._dir("ws")
        self.ca = os.path.join(self.trust, "ca.pem")
        self.env["HOME"] = self.home
        self._make_pki()

    def _require_dns_stub(self):
        r = self._run([self.mxc, "exec", "--dry-run", "-p", PROFILE, "--net", "allowlist", "--", "true"],
                      dict(self.env), "/")
        check(r.returncode == 0, "mxc exec --dry-run failed: %s" % describe(r))
        if not re.search(r"dns.{0,3}stub", r.stdout + r.stderr, re.IGNORECASE):
            raise Skip("this mxc has no DNS stub (issue 11, Build item 2): `mxc exec --dry-run` "
                       "names none, so a sandboxed client cannot resolve an allowed name")

    def _dir(self, *parts):
        p = os.path.join(self.root, *parts)
        os.makedirs(p, exist_ok=True)
        return p

    def close(self):
        for s in self.servers:
            s.close()
        # The sandbox maps our uid to itself: what the tools wrote is ours.
        if hasattr(self, "root"):
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
        # One certificate for every server: the lab's address (and name), and
        # localhost for npm_test.py.
        san = ["IP:" + self.addr, "DNS:localhost", "IP:127.0.0.1"]
        if self.name:
            san.append("DNS:" + self.name)
        with open(ext, "w") as f:
            f.write("subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\n"
                    "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                    "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n" % ",".join(dict.fromkeys(san)))
        self.checked(["openssl", "req"] + ec + ["-keyout", key, "-out", csr, "-subj", "/CN=" + self.addr])
        self.checked(["openssl", "x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", ca_key,
                      "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert])
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert, key)

    def _where(self, address, name):
        if address is None:
            return self.addr, self.name
        return address, name

    def serve(self, tls=True, address=None, name=None):
        """A server for self.www: HTTPS with the lab's certificate, or plain
        HTTP; by default on the lab's address (and name, in the names variant)."""
        address, name = self._where(address, name)
        s = Server(self.www, self.tls if tls else None, address, name)
        self.servers.append(s)
        return s

    def serve_tcp(self, session=lambda: pong, address=None, name=None):
        """A raw TCP line server (TcpServer), placed like serve()'s."""
        address, name = self._where(address, name)
        s = TcpServer(session, address, name)
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

    def sandboxed(self, argv, env, allow, proxy_env=True, profile=PROFILE, extra=()):
        """argv in `mxc exec -p build --net allowlist`, env passed with --env,
        the CA readable; r.audit is the run's audit events. proxy_env=False
        runs argv under `env -u` for every proxy variable mxc sets; extra:
        more mxc flags.

        A TLS trust variable (SSL_CERT_FILE, GIT_SSL_CAINFO, PIP_CERT) is
        given the way a user behind a TLS-inspecting proxy has it: in the
        caller's environment, with no rule for the CA. The profile passes it
        and mxc makes the file it names readable; only a tool given the CA
        by flag (npm --cafile) gets --allow-read."""
        self.runs += 1
        audit = os.path.join(self.root, "audit-%d.jsonl" % self.runs)
        cmd = [self.mxc, "exec", "-p", profile, "--net", "allowlist", "-w", self.ws, "--audit", audit]
        cmd += list(extra)
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
        if not proxy_env:
            argv = ["env"] + [a for n in PROXY_VARIABLES for a in ("-u", n)] + list(argv)
        r = self._run(cmd + ["--"] + argv, caller_env, self.ws)
        r.audit = []
        if os.path.exists(audit):
            with open(audit) as f:
                r.audit = [json.loads(line) for line in f if line.strip()]
        return r

    def net_events(self, r, decision):
        return [e for e in r.audit if e.get("event") == "net" and e.get("decision") == decision]

    def prove(self, servers, command, verify, via=PROXY_AWARE, denied_says=None, denied_allow=None,
              deny_each=False):
        """The bare run, then the allowed and denied runs of each variant of
        this lab that `via` names (see the top of this file); nothing when it
        names none of them.

        command(out, caches) -> (argv, env): the tool fetching into the empty
        directory `out`; caches["npm"] and caches["pip"] are fresh directories
        under ~/.npm and ~/.cache/pip for the tools that keep a cache.
        verify(out, r): raises Failure unless the fetched content is right.
        via: variant -> the path that must carry the tool there ("proxy" or
        "connect"): PROXY_AWARE or PROXY_BLIND.
        denied_says: path that refused ("proxy", "connect", "dns") -> text
        the denied run's output must contain, where the tool reports it.
        denied_allow: variant -> rules the denied run does get (npm_test.py).
        deny_each: the tool tries every server even after a refusal, so each
        must have its own audit deny (else one for any of them will do)."""
        variants = [v for v in self.variants if v in via]
        if not variants:
            return
        every_rule = [rule for s in servers for rule in s.rules]
        runs = [("bare", None, None)]
        for v in variants:
            runs += [(v, "allowed", every_rule), (v, "denied", list((denied_allow or {}).get(v, ())))]
        for variant, kind, allow in runs:
            name = "bare" if variant == "bare" else "%s-%s" % (variant, kind)
            out = self._dir("ws", "out-" + name)
            cache = self._dir("home", ".cache", "pip", name)
            npm_cache = self._dir("home", ".npm", name)
            argv, env = command(out, {"pip": cache, "npm": npm_cache})
            for s in servers:
                s.forget()
            start = time.monotonic()
            r = (self.bare(argv, env) if variant == "bare"
                 else self.sandboxed(argv, env, allow, proxy_env=variant == "proxy-env"))
            took = time.monotonic() - start
            print("%s run: status %d in %.1fs" % (name, r.returncode, took))
            what = "%s run of %s" % (name, " ".join(argv))
            if kind != "denied":
                check(r.returncode == 0, "%s failed: %s" % (what, describe(r)))
                verify(out, r)
                for s in servers:
                    check(s.requests(), "%s: %s:%d saw no request" % (what, s.host, s.port))
                if kind == "allowed":
                    self._check_allowed(what, r, servers, via[variant])
                continue
            self._check_denied(what, r, servers, out, verify, via[variant] if variant != NAMES else "dns",
                               (denied_says or {}), deny_each)
            if variant != "proxy-env" or via[variant] != "proxy":
                check(took < REFUSED_WITHIN, "%s: took %.1fs to fail, the refusal is immediate: %s"
                      % (what, took, describe(r)))
        self.proven.append("%s (%s)" % (" ".join(s.rules[0] for s in servers), ", ".join(variants)))

    def _check_denied(self, what, r, servers, out, verify, path, denied_says, deny_each):
        check(r.returncode != 0, "%s succeeded without an allow rule: %s" % (what, describe(r)))
        try:
            verify(out, r)
        except Failure:
            pass
        else:
            raise Failure("%s: the content arrived without an allow rule" % what)
        for s in servers:
            check(not s.requests(), "%s: %s:%d was reached without an allow rule: %s"
                  % (what, s.host, s.port, s.requests()))
        allowed = [e for e in self.net_events(r, "allow") if any(s.is_target(e) for s in servers)]
        check(not allowed, "%s: mxc allowed %s" % (what, allowed))
        # A tool that fetches from several servers gives up at the first refusal.
        decided = [s for s in servers if path != "connect" or not s.loopback]
        for group in ([[s] for s in decided] if deny_each else [decided] if decided else []):
            denied = [e for e in self.net_events(r, "deny") if e.get("via") == path and any(
                e.get("host") == s.host if path == "dns" else s.is_target(e) for s in group)]
            check(denied, "%s: no audit deny via %s for %s (audit: %s; %s)"
                  % (what, path, ["%s:%d" % (s.host, s.port) for s in group], r.audit, describe(r)))
            # The refusal is visible (issue 11, Build item 5), naming what to allow.
            if path == "dns":
                lines = ["mxc: blocked name lookup of %s " % s.host for s in group]
            else:
                lines = ["mxc: blocked %s:%d " % (h, s.port) for s in group
                         for h in (s.host, s.address, "[%s]" % s.address)]
            check(any(line in r.stderr for line in lines),
                  "%s: stderr lacks one of %s: %s" % (what, lines, describe(r)))
        says = denied_says.get(path)
        if says:
            check(says in r.stdout + r.stderr, "%s: output lacks %r: %s" % (what, says, describe(r)))

    def _check_allowed(self, what, r, servers, path):
        allowed = self.net_events(r, "allow")
        for s in servers:
            mine = [e for e in allowed if s.is_target(e)]
            hits = [e for e in mine if e.get("via") == path]
            check(hits, "%s: no audit allow via %s for %s:%d (audit: %s)" % (what, path, s.host, s.port, r.audit))
            others = [e for e in mine if e.get("via") not in (path, "dns")]
            check(not others, "%s: expected only via %s, audit also has %s" % (what, path, others))
            for e in hits:
                check(e.get("rule") in s.rules, "%s: expected one of %s, audit says %s" % (what, s.rules, e))
                check(not e.get("error"), "%s: the upstream connection failed: %s" % (what, e))
                if path == "proxy":
                    check(e.get("proto") == s.proto, "%s: expected proto %s, audit says %s" % (what, s.proto, e))
                    check(e.get("bytes_down", 0) > 0, "%s: nothing came back through the proxy: %s" % (what, e))
                else:
                    # The broker hands the sandbox its own connected socket
                    # and sees no bytes: the server's log is the evidence.
                    check(e.get("proto") == "tcp", "%s: expected proto tcp, audit says %s" % (what, e))
