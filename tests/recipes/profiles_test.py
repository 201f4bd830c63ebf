"""Each built-in profile, tried for real with the commands its users run.

    profiles_test.py --mxc BIN --source DIR [--as caller|unprivileged] PROFILE

Every check is one `mxc exec -p PROFILE -- bash -c SCRIPT` in a fake home with
a planted ~/.ssh/id_rsa (readable outside the sandbox: the control) and a git
project as the workspace. Only loopback is reachable where the tests run, so
the network checks are refusals: a host off the allowlist (refused by the
proxy) or, with mode "none", any host at all.
"""

import support
from support import check, describe

HELLO_C = '#include <stdio.h>\nint main(void) { puts("hello from cc"); return 0; }\n'
MAKEFILE = "hello: hello.c\n\tcc -O2 -o $@ $<\n"
SCRIPT_PY = ("import json, pathlib, sys\n"
             "pathlib.Path(sys.argv[1]).write_text(json.dumps({'ok': True}))\n"
             "print('python ok')\n")
NET = ('/usr/bin/python3 -c "import urllib.request as u; '
       "u.urlopen('https://collector.example.net/', timeout=10)\"")

# name: (script run inside, should it succeed (None: either), text its stdout must contain)
BUILD = {
    "make builds with cc": ("make hello && ./hello", True, "hello from cc"),
    "cc compiles directly": ("cc -o hello2 hello.c && ./hello2", True, "hello from cc"),
    "git init and commit": ("git init -q sub && cd sub && echo x > f && git add f && "
                            "git commit -q -m one && git log --oneline", True, "one"),
    "python script writes the workspace": ("/usr/bin/python3 script.py out.json && cat out.json",
                                           True, "python ok"),
    "private tmp is writable": ("echo t > /tmp/t && cat /tmp/t", True, "t"),
    "the planted key is unreadable": ("cat ~/.ssh/id_rsa", False, None),
    "home outside the rules is not writable": ("echo x > ~/outside", False, None),
    "an unlisted host is refused": (NET, False, None),
    "tokens are not in the environment": ('test -n "$GITHUB_TOKEN$AWS_SECRET_ACCESS_KEY"', False, None),
}

CODING_AGENT = dict(BUILD)
CODING_AGENT.update({
    "git status": ("git status --short --branch", True, "## main"),
    "npm runs": ("npm --version", True, None),
    "pip runs": ("/usr/bin/python3 -m pip --version", True, "pip"),
    "git hooks are read-only": ("echo evil > .git/hooks/pre-commit", False, None),
    "git config is read-only": ("git config core.hooksPath /tmp/hooks", False, None),
    "the cargo cache is writable": ("echo x > ~/.cargo/registry/index && cat ~/.cargo/registry/index",
                                    True, "x"),
    "cargo's bin dir (on PATH) is read-only": ("echo evil > ~/.cargo/bin/cargo", False, None),
    "cargo's config is read-only": ("echo evil >> ~/.cargo/config.toml", False, None),
})

READONLY = {
    "reading the workspace works": ("cat README.md && git log --oneline", True, "my project"),
    "python reads the workspace": ("/usr/bin/python3 -c \"print(open('README.md').read())\"",
                                   True, "my project"),
    "writing the workspace fails": ("echo x > new.txt", False, None),
    "changing a file fails": ("echo x >> README.md", False, None),
    "private tmp is writable": ("echo t > /tmp/t && cat /tmp/t", True, "t"),
    "the planted key is unreadable": ("cat ~/.ssh/id_rsa", False, None),
    "an unlisted host is refused": (NET, False, None),
}

DEFAULT = dict(BUILD)
DEFAULT.update({
    "writing the workspace works": ("echo x > new.txt && cat new.txt", True, "x"),
    ".env in the workspace is hidden": ("grep -q hunter2 .env", False, None),
})

PROFILES = {
    "default": DEFAULT,
    "build": BUILD,
    "offline-build": BUILD,
    "coding-agent": CODING_AGENT,
    "readonly": READONLY,
}


def run(world, profile):
    world.write("hello.c", HELLO_C)
    world.write("Makefile", MAKEFILE)
    world.write("script.py", SCRIPT_PY)
    world.write(".env", "DB_PASSWORD=hunter2\n")
    # As rustup leaves ~/.cargo: the rules on it only apply to paths that exist.
    world.write(world.home + "/.cargo/bin/cargo", "#!/bin/sh\n", mode=0o755)
    world.write(world.home + "/.cargo/config.toml", "")
    world.write(world.home + "/.cargo/registry/index", "")
    failures = []
    for name, (script, should_pass, expect) in PROFILES[profile].items():
        r = world.run([world.mxc, "exec", "-p", profile, "--", "bash", "-c", script])
        ok = (should_pass is None or (r.returncode == 0) == should_pass) and (expect is None or expect in r.stdout)
        ok = ok and r.returncode not in (125, 126, 127)  # a refusal by mxc itself is no answer
        if support.SECRET in r.stdout or "hunter2" in r.stdout:
            ok = False
        if not ok:
            failures.append("%s: %s" % (name, describe(r)))
    # Deny rules, not just the absence of a read rule, hide the key: with the
    # whole home readable it stays hidden.
    r = world.run([world.mxc, "exec", "-p", profile, "--allow-read", world.home, "--",
                   "bash", "-c", "cat ~/.gitconfig && cat ~/.ssh/id_rsa"])
    if r.returncode != 1 or support.SECRET in r.stdout or "Recipe Test" not in r.stdout:
        failures.append("the key with the home readable: " + describe(r))
    check(not world.exists(world.home + "/outside"), "a write outside the workspace reached the host")
    # The .env control: readable outside the sandbox.
    check("hunter2" in world.read(".env"), "control failed: .env not readable outside")
    check(not failures, "profile %s:\n%s" % (profile, "\n".join(failures)))


def main():
    args = support.parse_args(lambda p: p.add_argument("profile", choices=sorted(PROFILES)))
    support.become(args, [args.profile])

    def go():
        with support.World(args.mxc) as world:
            world.assert_secret_readable_bare()
            run(world, args.profile)
    support.main(args, go)


if __name__ == "__main__":
    main()
