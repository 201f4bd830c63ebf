# bash completion for mxc
_mxc() {
    local cur prev words cword
    _init_completion -s || return
    local commands="exec check explain profiles doctor"
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    local i
    for ((i = 2; i < cword; i++)); do
        [[ ${words[i]} == -- ]] && { _command_offset $((i + 1)); return; }
    done
    case $prev in
        -p|--profile)
            COMPREPLY=($(compgen -W "$(mxc profiles 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
            _filedir toml
            return ;;
        -w|--workspace|-C|--cwd) _filedir -d; return ;;
        --allow-read|--allow-write|--deny|--audit) _filedir; return ;;
        --net) COMPREPLY=($(compgen -W "none allowlist host" -- "$cur")); return ;;
        --allow-net|--env|--timeout) return ;;
    esac
    case ${words[1]} in
        exec) COMPREPLY=($(compgen -W "-p --profile -w --workspace --allow-read --allow-write --deny --net --allow-net --env --timeout -C --cwd --audit --best-effort --dry-run --die-with-parent -v -q --" -- "$cur")) ;;
        explain) COMPREPLY=($(compgen -W "-p --profile -w --workspace --allow-read --allow-write --deny --net --allow-net --env --timeout --best-effort --json" -- "$cur")) ;;
        check) COMPREPLY=($(compgen -W "$(mxc profiles 2>/dev/null | cut -d' ' -f1)" -- "$cur")); _filedir toml ;;
        doctor) COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
    esac
}
complete -F _mxc mxc
