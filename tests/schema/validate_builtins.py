#!/usr/bin/python3
"""Checks packaging/mxc.schema.json against the profiles mxc itself accepts.

Every built-in profile (policies/*.toml) and every valid test profile must
validate; a few profiles mxc refuses must be refused by the schema too, so the
schema cannot silently degrade into "anything goes".

Usage: validate_builtins.py SOURCE_DIR
"""
import json
import pathlib
import sys
import tomllib

import jsonschema

# Invalid-corpus profiles whose error the schema can see (it cannot see host
# rule syntax, extends targets or "..").
SCHEMA_DETECTABLE = [
    "missing_schema", "schema_newer", "unknown_top_key", "unknown_section", "unknown_filesystem_key",
    "unknown_network_key", "unknown_limits_key", "wrong_type_best_effort", "wrong_type_read_string",
    "size_words", "size_ambiguous_unit", "duration_bare_number", "duration_bare_string",
    "duration_out_of_order", "network_mode_invalid", "missing_invalid", "windows_isolation_invalid",
    "seccomp_unknown_group", "path_relative", "env_set_bad_name", "processes_zero",
    "audit_sink_invalid", "audit_file_without_path", "agent_id_spaces",
]


def load(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def main():
    root = pathlib.Path(sys.argv[1])
    schema = json.loads((root / "packaging" / "mxc.schema.json").read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    failures = []

    accepted = sorted((root / "policies").glob("*.toml")) + sorted((root / "tests" / "data" / "valid").rglob("*.toml"))
    if len(accepted) < 5:
        failures.append(f"expected the built-in profiles under {root / 'policies'}, found {len(accepted)} files")
    for path in accepted:
        for error in validator.iter_errors(load(path)):
            failures.append(f"{path}: schema rejects a profile mxc accepts: {error.message} at {list(error.path)}")

    unknown_key = {"schema": 1, "filesystem": {"read": ["/usr"], "exec": ["/bin"]}}
    if validator.is_valid(unknown_key):
        failures.append("schema accepts the unknown key [filesystem].exec")

    for name in SCHEMA_DETECTABLE:
        path = root / "tests" / "data" / "invalid" / f"{name}.toml"
        if validator.is_valid(load(path)):
            failures.append(f"{path}: schema accepts a profile mxc refuses")

    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"checked {len(accepted)} accepted and {len(SCHEMA_DETECTABLE) + 1} refused profiles")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
