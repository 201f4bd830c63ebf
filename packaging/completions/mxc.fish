# fish completion for mxc
set -l cmds exec check explain profiles doctor log
complete -c mxc -f -n "not __fish_seen_subcommand_from $cmds" -a "$cmds"
complete -c mxc -n "not __fish_seen_subcommand_from $cmds" -l version -d 'print version'
complete -c mxc -n "not __fish_seen_subcommand_from $cmds" -s v -l verbose -d 'more logging (stderr)'
complete -c mxc -n "not __fish_seen_subcommand_from $cmds" -s q -l quiet -d 'only errors from mxc'
for c in exec explain
    complete -c mxc -n "__fish_seen_subcommand_from $c" -s p -l profile -r -a '(mxc profiles 2>/dev/null | string split -f1 " ")' -d 'profile'
    complete -c mxc -n "__fish_seen_subcommand_from $c" -s w -l workspace -r -a '(__fish_complete_directories)' -d 'workspace'
    complete -c mxc -n "__fish_seen_subcommand_from $c" -l allow-read -r -F -d 'add a read rule'
    complete -c mxc -n "__fish_seen_subcommand_from $c" -l allow-write -r -F -d 'add a write rule'
    complete -c mxc -n "__fish_seen_subcommand_from $c" -l deny -r -F -d 'add a deny rule'
    complete -c mxc -n "__fish_seen_subcommand_from $c" -l net -r -f -a 'none allowlist host' -d 'network mode'
    complete -c mxc -n "__fish_seen_subcommand_from $c" -l allow-net -r -f -d 'add an egress rule'
    complete -c mxc -n "__fish_seen_subcommand_from $c" -l env -r -f -d 'pass or set a variable'
    complete -c mxc -n "__fish_seen_subcommand_from $c" -l memory -r -f -a unlimited -d 'override limits.memory'
    complete -c mxc -n "__fish_seen_subcommand_from $c" -l timeout -r -f -d 'override wall_time'
    complete -c mxc -n "__fish_seen_subcommand_from $c" -l best-effort -d 'run even if not enforceable'
end
complete -c mxc -n "__fish_seen_subcommand_from exec" -s C -l cwd -r -a '(__fish_complete_directories)' -d 'start directory'
complete -c mxc -n "__fish_seen_subcommand_from exec" -l audit -r -F -d 'audit log file'
complete -c mxc -n "__fish_seen_subcommand_from exec" -l dry-run -d 'print the plan'
complete -c mxc -n "__fish_seen_subcommand_from exec" -l die-with-parent -d 'end the sandbox when the parent of mxc dies'
complete -c mxc -n "__fish_seen_subcommand_from explain doctor" -l json -d 'JSON output'
complete -c mxc -n "__fish_seen_subcommand_from check" -a '(mxc profiles 2>/dev/null | string split -f1 " ")'
complete -c mxc -n "__fish_seen_subcommand_from log" -F -d 'audit log file'
complete -c mxc -n "__fish_seen_subcommand_from log" -s f -l follow -d 'print events as they are appended'
complete -c mxc -n "__fish_seen_subcommand_from log" -l json -d 'one JSON summary per session'
complete -c mxc -n "__fish_seen_subcommand_from log" -l suggest -d 'propose allow rules for denied hosts'
