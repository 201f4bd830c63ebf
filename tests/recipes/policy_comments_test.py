"""Every rule in a built-in profile says why it is there.

    policy_comments_test.py --source DIR

A rule is a key in a table ([filesystem], [network], [env], [limits], ...) or
one element of a multi-line array. It is documented by a comment on its own
line, or, for a key, by a comment line directly above it. Top-level keys
(schema, name, description, extends) are the profile's identity, not rules.
"""

import argparse
import glob
import os
import re
import sys


def undocumented(path):
    out = []
    with open(path) as f:
        lines = f.read().splitlines()
    table = None
    in_array = False
    for n, raw in enumerate(lines, 1):
        code, _, comment = raw.partition("#")
        code = code.strip()
        has_comment = bool(comment.strip())
        above = n >= 2 and lines[n - 2].strip().startswith("#")
        if not code:
            continue
        if in_array:
            if code.startswith("]"):
                in_array = False
            elif not has_comment:
                out.append("%s:%d: %s" % (path, n, code))
            continue
        if re.match(r"^\[[^\]]+\]$", code):
            table = code
            continue
        m = re.match(r"^([\w.-]+)\s*=\s*(.*)$", code)
        if not m:
            continue
        value = m.group(2)
        if value == "[":
            in_array = True  # each element is a rule with its own comment
            continue
        if table is not None and not has_comment and not above:
            out.append("%s:%d: %s" % (path, n, code))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--source", required=True)
    args = p.parse_args()
    files = sorted(glob.glob(os.path.join(args.source, "policies", "*.toml")))
    if not files:
        print("FAIL: no policies/*.toml", file=sys.stderr)
        sys.exit(1)
    missing = [line for f in files for line in undocumented(f)]
    if missing:
        print("FAIL: rules without a comment saying why:\n  " + "\n  ".join(missing), file=sys.stderr)
        sys.exit(1)
    print("ok: %d profiles, every rule commented" % len(files))


if __name__ == "__main__":
    main()
