"""Shared helpers for the recipe and built-in profile tests.

Every test runs in a throwaway fake home (HOME points at it) with a planted
SSH key, a git identity, stand-in agent binaries in ~/.local/bin and a project
at ~/src/my-project: the paths the recipes in docs/integrations.md use. The
whole test runs as the identity under test: with --as unprivileged under root
it re-executes itself as the user `mxc-test` (scripts/create-test-user.sh),
so the temp dirs it creates are that user's and it removes them itself.
"""

import argparse
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile

TEST_USER = "mxc-test"
SECRET = "PLANTED-SSH-KEY-do-not-leak"
PYTHON = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))
AGENTS = ["claude", "codex", "copilot", "your-agent"]

# Variables a leaky sandbox would hand to the command.
CALLER_SECRETS = {
    "ANTHROPIC_API_KEY": "sk-ant-test",
    "OPENAI_API_KEY": "sk-openai-test",
    "GH_TOKEN": "gh-test",
    "GITHUB_TOKEN": "ghp-leak",
    "AWS_SECRET_ACCESS_KEY": "aws-leak",
}


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def parse_args(extra=None):
    p = argparse.ArgumentParser()
    p.add_argument("--mxc", required=True, help="the built mxc binary")
    p.add_argument("--source", required=True, help="the source tree")
    p.add_argument("--as", dest="identity", choices=["caller", "unprivileged"], default="caller")
    if extra:
        extra(p)
    return p.parse_args()


def become(args, rest):
    """Re-executes this script as mxc-test when asked to and running as root.
    rest: the script's own arguments after the common ones."""
    if args.identity != "unprivileged" or os.geteuid() != 0:
        return
    try:
        pwd.getpwnam(TEST_USER)
    except KeyError:
        raise SystemExit("test user %s missing: run scripts/create-test-user.sh" % TEST_USER)
    cmd = ["runuser", "-u", TEST_USER, "--", PYTHON, "-B", os.path.abspath(sys.argv[0]),
           "--mxc", os.path.abspath(args.mxc), "--source", os.path.abspath(args.source),
           "--as", "unprivileged"] + rest
    # The build directory need not be readable by the test user.
    os.chdir("/")
    os.execvp("runuser", cmd)


def main(args, run):
    """Runs run(), turning a Failure into exit status 1 with its message."""
    try:
        check(args.identity != "unprivileged" or os.geteuid() != 0,
              "still root in the unprivileged variant")
        run()
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    print("ok")


class World:
    """A fake home and workspace, removed on exit."""

    def __init__(self, mxc):
        self.mxc = os.path.abspath(mxc)
        # Not under /tmp: the sandbox has its own /tmp, which would hide a
        # fake home there whatever the rules say. /var/tmp is, like /home,
        # outside every built-in read rule.
        self.root = tempfile.mkdtemp(prefix="mxc-recipes-", dir="/var/tmp")
        self.home = os.path.join(self.root, "home")
        self.ws = os.path.join(self.home, "src", "my-project")
        self.bin = os.path.join(self.home, ".local", "bin")
        os.makedirs(self.ws)
        os.makedirs(self.bin)
        os.makedirs(os.path.join(self.home, ".ssh"), mode=0o700)
        self.secret_path = os.path.join(self.home, ".ssh", "id_rsa")
        with open(self.secret_path, "w") as f:
            f.write(SECRET + "\n")
        os.chmod(self.secret_path, 0o600)
        with open(os.path.join(self.home, ".gitconfig"), "w") as f:
            f.write("[user]\n\tname = Recipe Test\n\temail = recipes@mxc.invalid\n"
                    "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")
        # The agents' state directories, as a first unsandboxed run leaves them.
        for agent in AGENTS:
            os.makedirs(os.path.join(self.home, "." + agent))
            shutil.copy(os.path.join(HERE, "stand-ins", "fake-agent"), os.path.join(self.bin, agent))
            os.chmod(os.path.join(self.bin, agent), 0o755)
        user = pwd.getpwuid(os.geteuid()).pw_name
        self.env = {
            "HOME": self.home,
            "PATH": os.pathsep.join([os.path.dirname(self.mxc), self.bin, "/usr/local/bin",
                                     "/usr/bin", "/bin"]),
            "LANG": "C.UTF-8",
            "SHELL": "/bin/bash",
            "USER": user,
            "LOGNAME": user,
        }
        self.env.update(CALLER_SECRETS)
        self.git("init", "-q")
        self.write("README.md", "my project\n")
        self.git("add", "README.md")
        self.git("commit", "-q", "-m", "initial")

    def close(self):
        # Files the sandbox created are ours too (the user namespace maps our
        # uid to itself), so plain removal works.
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def path(self, *parts):
        return os.path.join(self.ws, *parts)

    def write(self, rel, text, mode=None):
        p = rel if os.path.isabs(rel) else self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        if mode is not None:
            os.chmod(p, mode)
        return p

    def read(self, rel):
        p = rel if os.path.isabs(rel) else self.path(rel)
        with open(p) as f:
            return f.read()

    def exists(self, rel):
        return os.path.exists(rel if os.path.isabs(rel) else self.path(rel))

    def run(self, argv, cwd=None, env=None, timeout=60, input_text=None):
        """Runs argv outside any sandbox; returns CompletedProcess (text)."""
        e = dict(self.env)
        if env:
            e.update(env)
        return subprocess.run(argv, cwd=cwd or self.ws, env=e, timeout=timeout, text=True,
                              input=input_text, stdin=None if input_text is not None else subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def sh(self, script, cwd=None, env=None, timeout=60, shell=("/bin/bash", "-e")):
        return self.run(list(shell) + ["-c", script], cwd=cwd, env=env, timeout=timeout)

    def git(self, *args):
        r = self.run(["git"] + list(args))
        if r.returncode != 0:
            raise Failure("git %s failed: %s" % (" ".join(args), r.stderr))
        return r.stdout

    def head(self):
        return self.git("rev-parse", "HEAD").strip()

    def assert_secret_readable_bare(self):
        """The control: without mxc the planted key is readable."""
        r = self.run(["cat", self.secret_path])
        check(r.returncode == 0 and SECRET in r.stdout,
              "control failed: the planted key is not readable outside the sandbox")

    def report(self, name):
        """KEY=VALUE lines a stand-in agent wrote, as a dict."""
        path = self.path("agent-report-%s.txt" % name)
        check(os.path.exists(path), "the stand-in %s did not run (no %s)" % (name, path))
        out = {}
        for line in self.read(path).splitlines():
            k, _, v = line.partition("=")
            out[k] = v
        return out


def describe(r):
    return "status %d\n--- stdout\n%s--- stderr\n%s" % (r.returncode, r.stdout, r.stderr)


# ---- docs/integrations.md -------------------------------------------------

RECIPE_RE = re.compile(r"<!--\s*recipe:\s*([\w.-]+)\s*-->\s*\n```[\w-]*\n(.*?)\n```", re.S)


def recipes(source):
    """Every block marked <!-- recipe: NAME --> in docs/integrations.md."""
    with open(os.path.join(source, "docs", "integrations.md")) as f:
        text = f.read()
    out = {}
    for m in RECIPE_RE.finditer(text):
        if m.group(1) in out:
            raise Failure("recipe %s is defined twice" % m.group(1))
        out[m.group(1)] = m.group(2) + "\n"
    return out
