"""Runs one recipe from docs/integrations.md exactly as written.

    recipes_test.py --mxc BIN --source DIR [--as caller|unprivileged] CASE
    recipes_test.py --mxc BIN --source DIR coverage

Each case extracts its block(s) from the doc (marked <!-- recipe: NAME -->),
runs them in a fake home with the real mxc first on PATH and stand-ins for the
agent binaries, and checks both that the recipe works (exit status, files,
audit log) and that the sandbox applied: the planted ~/.ssh/id_rsa is
readable outside and unreadable inside. `coverage` checks that every block in
the doc is exercised by some case.
"""

import json
import os
import re
import subprocess
import sys
import textwrap

import support
from support import Failure, check, describe

# What a stand-in agent confined by coding-agent must report.
CONFINED_AGENT = {
    "write": "ok",       # the workspace is read-write
    "secret": "fail",    # ~/.ssh is denied
    "git": "ok",         # git works in the workspace
    "net": "fail",       # a host off the allowlist is refused
    "hook": "fail",      # .git/hooks is read-only in coding-agent
    "shell": "/bin/bash",
}


def expect_report(world, name, extra):
    rep = world.report(name)
    want = dict(CONFINED_AGENT)
    want.update(extra)
    for key, value in want.items():
        check(rep.get(key) == value, "%s reported %s=%s, expected %s (report: %s)"
              % (name, key, rep.get(key), value, rep))


def env_expectations(visible):
    return {"env." + v: ("ok" if v in visible else "fail") for v in support.CALLER_SECRETS}


def audit_events(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def run_block(world, block, what, env=None):
    r = world.sh(block, env=env)
    check(r.returncode == 0, "%s failed: %s" % (what, describe(r)))
    return r


# ---- coding agents ----------------------------------------------------------

def case_claude_code(world, doc):
    run_block(world, doc["claude-code"], "the claude-code recipe")
    expect_report(world, "claude", dict(state="ok", **env_expectations({"ANTHROPIC_API_KEY"})))
    check("session" in world.read(os.path.join(world.home, ".claude", "session.log")),
          "claude's state in ~/.claude was not written")


def case_codex(world, doc):
    run_block(world, doc["codex"], "the codex recipe")
    expect_report(world, "codex", dict(state="ok", **env_expectations({"OPENAI_API_KEY"})))


def case_copilot(world, doc):
    r = run_block(world, doc["copilot"], "the copilot recipe")
    expect_report(world, "copilot", dict(state="ok", **env_expectations({"GH_TOKEN"})))
    # Outside the workspace, where the sandboxed agent cannot replace it.
    log = os.path.join(world.home, ".local", "state", "mxc", "copilot.jsonl")
    events = audit_events(log)
    check([e["event"] for e in events][:1] == ["start"] and events[-1]["event"] == "exit",
          "audit log lacks start/exit events: %s" % events)
    denied = [e["host"] for e in events if e["event"] == "net" and e["decision"] == "deny"]
    check("collector.example.net" in denied, "the refused host is not in the audit log: %s" % events)
    check('"collector.example.net"' in r.stdout and "[network]" in r.stdout,
          "mxc log --suggest did not propose the refused host:\n" + r.stdout)


def case_mxc_shell_use(world, doc):
    world.write(os.path.join(world.bin, "mxc-shell"), doc["mxc-shell"])
    # The recipe itself does the chmod; the stand-in runs every step through $SHELL.
    run_block(world, doc["mxc-shell-use"], "the mxc-shell recipe")
    # Only the commands are sandboxed: the tool itself keeps its own state.
    expect_report(world, "your-agent", dict(state="ok", **env_expectations(set())))
    # Called directly, as a tool with a shell-path setting would.
    shell = os.path.join(world.bin, "mxc-shell")
    sub = world.path("src")
    os.makedirs(sub)
    r = world.run([shell, "-c", "echo from-subdir > ../pinned.txt; cat ~/.ssh/id_rsa"], cwd=sub,
                  env={"MXC_WORKSPACE": world.ws})
    check(r.returncode == 1, "reading the key through mxc-shell did not fail: " + describe(r))
    check(support.SECRET not in r.stdout, "the key leaked through mxc-shell")
    check(world.exists("pinned.txt"), "MXC_WORKSPACE did not pin the workspace: " + describe(r))
    r = world.run([shell, "-c", "exit 7"])
    check(r.returncode == 7, "mxc-shell did not relay the exit status: " + describe(r))


def steps_via(prefix_runner, world):
    """Runs the stand-in agent's steps through a launcher; returns ok/fail per step."""
    steps = {
        "write": "echo edited > launcher-wrote.txt",
        "secret": "cat ~/.ssh/id_rsa",
        "git": "git status --short",
        "hook": "echo evil > .git/hooks/pre-commit",
        "token": 'test -n "$GITHUB_TOKEN"',
    }
    out = {}
    for key, cmd in steps.items():
        r = prefix_runner(cmd)
        out[key] = "ok" if r.returncode == 0 else "fail"
        check(support.SECRET not in r.stdout + r.stderr, "the key leaked through the launcher")
    r = prefix_runner("printf 'a  b\\n'; exit 3")
    check(r.returncode == 3 and r.stdout == "a  b\n", "stdout/status not relayed: " + describe(r))
    want = {"write": "ok", "secret": "fail", "git": "ok", "hook": "fail", "token": "fail"}
    check(out == want, "launcher steps gave %s, expected %s" % (out, want))


def case_launcher_json(world, doc):
    config = json.loads(doc["launcher-json"])["shell"]
    cwd = os.path.expanduser(config["cwd"].replace("~", world.home, 1))
    check(os.path.realpath(cwd) == os.path.realpath(world.ws), "cwd in the example is not the project")

    # A stand-in launcher: substitutes the command into the configured argv.
    def run(cmd):
        argv = [cmd if a == "<cmd>" else a for a in config["command"]]
        return world.run(argv, cwd=cwd)
    steps_via(run, world)


def case_launcher_python(world, doc):
    os.environ.clear()
    os.environ.update(world.env)
    scope = {}
    exec(compile(doc["launcher-python"], "integrations.md:launcher-python", "exec"), scope)
    steps_via(lambda cmd: scope["run_tool_command"](cmd, cwd=world.ws), world)


# ---- pipelines ----------------------------------------------------------------

# The project's own `make test`: records what it could do, fails on request.
PROJECT_MAKEFILE = """
test:
\t@echo ran > test-wrote.txt
\t@if cat $$HOME/.ssh/id_rsa >/dev/null 2>&1; then echo secret=read; else echo secret=denied; fi > test-report.txt
\t@if /usr/bin/python3 -c "import urllib.request as u; u.urlopen('https://collector.example.net/', timeout=10)" 2>/dev/null; \\
\t  then echo net=reached; else echo net=blocked; fi >> test-report.txt
\t@test ! -e fail-tests
"""


def expect_project_test_confined(world):
    rep = world.read("test-report.txt")
    check("secret=denied" in rep and "net=blocked" in rep, "make test was not confined: " + rep)


def parse_yaml(text):
    """The YAML subset the CI recipes use: maps, lists, `|` block scalars."""
    lines = text.splitlines()
    pos = 0

    def indent(line):
        return len(line) - len(line.lstrip(" "))

    def skip():
        nonlocal pos
        while pos < len(lines) and (not lines[pos].strip() or lines[pos].lstrip().startswith("#")):
            pos += 1

    def scalar(v):
        v = v.strip()
        return v[1:-1] if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"" else v

    def node():
        skip()
        if pos >= len(lines):
            return None
        if lines[pos].lstrip().startswith("- "):
            return seq(indent(lines[pos]))
        return mapping(indent(lines[pos]))

    def seq(ind):
        nonlocal pos
        out = []
        while True:
            skip()
            if pos >= len(lines) or indent(lines[pos]) != ind or not lines[pos].lstrip().startswith("- "):
                return out
            rest = lines[pos].lstrip()[2:]
            if re.match(r"^[\w-]+:(\s|$)", rest):
                lines[pos] = " " * (ind + 2) + rest
                out.append(mapping(ind + 2))
            else:
                out.append(scalar(rest))
                pos += 1

    def mapping(ind):
        nonlocal pos
        out = {}
        while True:
            skip()
            if pos >= len(lines) or indent(lines[pos]) != ind:
                return out
            m = re.match(r"^\s*([\w.-]+):\s*(.*)$", lines[pos])
            if not m:
                raise Failure("cannot parse YAML line: " + lines[pos])
            key, val = m.group(1), m.group(2)
            pos += 1
            if val in ("|", "|-"):
                buf = []
                while pos < len(lines) and (not lines[pos].strip() or indent(lines[pos]) > ind):
                    buf.append(lines[pos])
                    pos += 1
                out[key] = textwrap.dedent("\n".join(buf)).strip("\n") + "\n"
            elif val == "":
                skip()
                out[key] = node() if pos < len(lines) and indent(lines[pos]) > ind else None
            else:
                out[key] = scalar(val)

    return node()


def run_github_steps(world, steps):
    """GitHub's semantics: bash -eo pipefail per step, stop at the first
    failure except for `if: always()` steps. Returns (failed, output)."""
    failed, output = False, ""
    for step in steps:
        if failed and "always()" not in step.get("if", ""):
            continue
        if "uses" in step:
            if "upload-artifact" in step["uses"]:
                path = step["with"]["path"]
                check(world.exists(path), "artifact %s was not produced" % path)
            continue
        r = world.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]])
        output += r.stdout + r.stderr
        if r.returncode != 0:
            failed = True
    return failed, output


def case_github_actions(world, doc):
    steps = parse_yaml(doc["github-actions"])
    check(isinstance(steps, list) and len(steps) >= 3, "unexpected steps: %s" % steps)
    world.write("Makefile", PROJECT_MAKEFILE)
    failed, out = run_github_steps(world, steps)
    check(not failed, "the workflow failed:\n" + out)
    expect_project_test_confined(world)
    check("profile  build" in out and "deny   collector.example.net:443" in out,
          "the report step did not summarise the audit log:\n" + out)
    # A failing test fails the job, and the report still runs.
    world.write("fail-tests", "")
    os.remove(world.path("test-report.txt"))
    failed, out = run_github_steps(world, steps)
    check(failed, "a failing make test did not fail the workflow")
    check(out.count("session ") == 2 and "exited with status 2" in out,
          "the report after a failure is missing:\n" + out)


def case_gitlab_ci(world, doc):
    job = parse_yaml(doc["gitlab-ci"])["test"]
    check(job["artifacts"]["when"] == "always", "artifacts are not kept on failure")
    world.write("Makefile", PROJECT_MAKEFILE)

    def run_job():
        # The runner stops the script at the first failing line; after_script
        # runs in a separate shell either way.
        r = world.run(["bash", "-e", "-c", "\n".join(job["script"])])
        a = world.run(["bash", "-e", "-c", "\n".join(job["after_script"])])
        check(a.returncode == 0, "after_script failed: " + describe(a))
        for p in job["artifacts"]["paths"]:
            check(world.exists(p), "artifact %s was not produced" % p)
        return r, a

    r, a = run_job()
    check(r.returncode == 0, "the job failed: " + describe(r))
    expect_project_test_confined(world)
    check("profile  build" in a.stdout, "after_script did not summarise the audit log: " + a.stdout)
    world.write("fail-tests", "")
    r, a = run_job()
    check(r.returncode == 2, "a failing make test did not fail the job: " + describe(r))
    check("exited with status 2" in a.stdout, "the failure is not in the report: " + a.stdout)


def case_makefile(world, doc):
    world.write("Makefile", doc["makefile"] + PROJECT_MAKEFILE)
    r = world.run(["make", "sandboxed-test"])
    check(r.returncode == 0, "make sandboxed-test failed: " + describe(r))
    expect_project_test_confined(world)
    check("profile  build" in r.stdout and "exited with status 0" in r.stdout,
          "no audit summary: " + r.stdout)
    world.write("fail-tests", "")
    r = world.run(["make", "sandboxed-test"])
    check(r.returncode != 0, "a failing make test did not fail make sandboxed-test")
    check("exited with status 2" in r.stdout, "no audit summary after a failure: " + describe(r))


def case_pre_commit(world, doc):
    hook = world.write(world.path(".git", "hooks", "pre-commit"), doc["pre-commit"], mode=0o755)
    world.write("Makefile", textwrap.dedent("""\
        check:
        \t@if cat $$HOME/.ssh/id_rsa >/dev/null 2>&1; then echo secret=read; else echo secret=denied; fi > check-report.txt
        \t@if echo evil > .git/hooks/post-commit 2>/dev/null; then echo plant=ok; else echo plant=refused; fi >> check-report.txt
        \t@test ! -e fail-check
        """))
    world.write("a.txt", "one\n")
    world.git("add", "a.txt", "Makefile")
    before = world.head()
    r = world.run(["git", "commit", "-q", "-m", "passing checks"])
    check(r.returncode == 0, "a commit with passing checks was refused: " + describe(r))
    check(world.head() != before, "the commit did not happen")
    rep = world.read("check-report.txt")
    check("secret=denied" in rep and "plant=refused" in rep, "the hook's checks were not confined: " + rep)
    check(not world.exists(".git/hooks/post-commit"), "a check planted a hook")

    world.write("fail-check", "")
    world.write("a.txt", "two\n")
    world.git("add", "a.txt")
    before = world.head()
    r = world.run(["git", "commit", "-q", "-m", "failing checks"])
    check(r.returncode != 0, "a failing check did not block the commit")
    check(world.head() == before, "the commit happened despite the failing check")
    check(os.access(hook, os.X_OK), "hook lost its mode")


def case_exit_codes(world, doc):
    runner = world.write(os.path.join(world.bin, "mxc-run"), doc["exit-codes"], mode=0o755)
    cases = [
        (["--", "true"], 0, None),
        (["--", "sh", "-c", "exit 3"], 3, "failed with status 3"),
        (["--timeout", "1s", "--", "sleep", "30"], 124, "timed out"),
        (["-w", "/nonexistent/workspace", "--", "true"], 125, "mxc refused"),
        (["--", "/etc/passwd"], 126, "not executable"),
        (["--", "no-such-command-xyz"], 127, "not found"),
        (["--", "sh", "-c", "kill -TERM $$"], 143, "signal 15"),
        (["--", "cat", world.secret_path], 1, "failed with status 1"),
    ]
    for args, status, message in cases:
        r = world.run([runner] + args)
        check(r.returncode == status, "mxc-run %s: expected %d, got %s" % (args, status, describe(r)))
        if message:
            check(message in r.stderr, "mxc-run %s: no '%s' in stderr: %s" % (args, message, r.stderr))
        check(support.SECRET not in r.stdout, "the key leaked")


def case_audit_log(world, doc):
    r = run_block(world, doc["audit-log"], "the audit-log recipe")
    log = os.path.join(world.home, ".local", "state", "mxc", "agent.jsonl")
    check(not world.exists("agent.jsonl"), "the recipe wrote its audit log into the workspace")
    start = [e for e in audit_events(log) if e["event"] == "start"]
    check(len(start) == 1 and any("die-with-parent" in m for m in start[0]["enforced"]),
          "the recipe's run does not die with its parent: %s" % start)
    expect_report(world, "codex", dict(state="fail", **env_expectations(set())))
    check("command  codex" in r.stdout and "deny   collector.example.net:443" in r.stdout,
          "mxc log summary missing: " + r.stdout)
    summaries = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    check(len(summaries) == 1 and summaries[0]["profile"] == "coding-agent" and summaries[0]["denied"] >= 1,
          "mxc log --json gave %s" % summaries)
    check('"collector.example.net"' in r.stdout, "mxc log --suggest missing the host: " + r.stdout)


CASES = {
    "claude-code": (case_claude_code, ["claude-code"]),
    "codex": (case_codex, ["codex"]),
    "copilot": (case_copilot, ["copilot"]),
    "mxc-shell": (case_mxc_shell_use, ["mxc-shell", "mxc-shell-use"]),
    "launcher-json": (case_launcher_json, ["launcher-json"]),
    "launcher-python": (case_launcher_python, ["launcher-python"]),
    "github-actions": (case_github_actions, ["github-actions"]),
    "gitlab-ci": (case_gitlab_ci, ["gitlab-ci"]),
    "makefile": (case_makefile, ["makefile"]),
    "pre-commit": (case_pre_commit, ["pre-commit"]),
    "exit-codes": (case_exit_codes, ["exit-codes"]),
    "audit-log": (case_audit_log, ["audit-log"]),
}


def coverage(doc):
    used = {b for _, blocks in CASES.values() for b in blocks}
    check(set(doc) == used, "recipes in the doc %s vs exercised %s" % (sorted(doc), sorted(used)))


def main():
    args = support.parse_args(lambda p: p.add_argument("case", choices=sorted(CASES) + ["coverage"]))
    support.become(args, [args.case])

    def run():
        doc = support.recipes(args.source)
        if args.case == "coverage":
            coverage(doc)
            return
        fn, blocks = CASES[args.case]
        for b in blocks:
            check(b in doc, "docs/integrations.md has no recipe %s" % b)
        with support.World(args.mxc) as world:
            world.assert_secret_readable_bare()
            fn(world, doc)
    support.main(args, run)


if __name__ == "__main__":
    main()
