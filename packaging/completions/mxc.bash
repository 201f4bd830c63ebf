# bash completion for mxc (needs the bash-completion package, which loads it)
_mxc() {
    local cur prev words cword
    _init_completion -s || return
    local commands="exec learn check explain profiles doctor log"
    # The subcommand is the first word that is not a global option (-v, -q).
    local i sub=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            -v|-vv|-vvv|--verbose|-q|--quiet) ;;
            *) sub=$i; break ;;
        esac
    done
    if [[ $sub -eq 0 ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version -v --verbose -q --quiet" -- "$cur"))
        return
    fi
    for ((i = sub + 1; i < cword; i++)); do
        [[ ${words[i]} == -- ]] && { _command_offset $((i + 1)); return; }
    done
    case $prev in
        -p|--profile)
            COMPREPLY=($(compgen -W "$(mxc profiles 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
            _filedir toml
            return ;;
        -w|--workspace|-C|--cwd) _filedir -d; return ;;
        --allow-read|--allow-write|--deny|--allow-unix|--audit|-o|--output) _filedir; return ;;
        --net) COMPREPLY=($(compgen -W "none allowlist host" -- "$cur")); return ;;
        --allow-net|--env|--timeout|--agent) return ;;
        --memory) COMPREPLY=($(compgen -W "unlimited" -- "$cur")); return ;;
    esac
    case ${words[sub]} in
        exec) COMPREPLY=($(compgen -W "-p --profile -w --workspace --allow-read --allow-write --deny --net --allow-net --allow-unix --env --memory --timeout --agent -C --cwd --audit --best-effort --dry-run --die-with-parent -v -q --" -- "$cur")) ;;
        learn) COMPREPLY=($(compgen -W "-p --profile -w --workspace -C --cwd -o --output --force --allow-net-learning -v -q --" -- "$cur")) ;;
        explain) COMPREPLY=($(compgen -W "-p --profile -w --workspace --allow-read --allow-write --deny --net --allow-net --allow-unix --env --memory --timeout --agent --best-effort --json" -- "$cur")) ;;
        check) COMPREPLY=($(compgen -W "$(mxc profiles 2>/dev/null | cut -d' ' -f1)" -- "$cur")); _filedir toml ;;
        doctor) COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
        log)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "-f --follow --json --suggest --toml" -- "$cur"))
            else
                _filedir
            fi ;;
    esac
}
complete -F _mxc mxc
