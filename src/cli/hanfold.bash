# bash completion for hanfold and hanfold-mpi                  -*- shell-script -*-
# Installed by meson install where bash-completion looks for it (its
# completionsdir, else DATADIR/bash-completion/completions), under both
# program names.  Options are read from the program's own --help, so they
# are never out of date; values are listed here.  Needs only bash's
# compgen (not bash-completion's helpers), so that it can be sourced alone.

_hanfold_values()
{
    # $1 command, $2 option: the values it takes, or "" (a file), or "-"
    # (nothing to complete)
    case $2 in
        --input) echo "lines paragraphs jsonl files null" ;;
        --to) echo "simplified traditional taiwan hongkong" ;;
        --encoding) echo "UTF-8 auto GB18030 GBK BIG5 UTF-16" ;;
        --format)
            case $1 in
                fingerprint) echo "tsv jsonl" ;;
                cluster) echo "tsv jsonl csv" ;;
                report) echo "text json csv html" ;;
                *) echo "-" ;;
            esac ;;
        --keep) echo "first longest max: min:" ;;
        --annotate) echo "all cluster,duplicate_of,similarity,measure fingerprint" ;;
        --linkage) echo "single representative" ;;
        --method) echo "key simhash" ;;
        --drop-furniture) echo "url location emoticon card all none url,location" ;;
        --stats) echo "text json" ;;
        --threads) echo "0 1 2 4 8" ;;
        -o|--output|--dropped|--index|--pairs|--opencc-config) echo "" ;;
        --opencc-dir) echo "DIR" ;;
        --id-field|--text-field|--max-record|--threshold|--long-threshold|--jaccard-threshold|\
        --min-ratio|--hamming|--posting-cap|--verify-budget|--spill-memory) echo "-" ;;
        *) echo "NONE" ;;
    esac
}

_hanfold()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local prog=${COMP_WORDS[0]} cmd="" i
    local cmds="normalize fingerprint cluster dedup report index"
    [[ ${prog##*/} == hanfold-mpi ]] && cmds="cluster dedup"
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -*) ;;
            *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done
    COMPREPLY=()
    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
        return
    fi
    if [[ $cmd == index ]]; then
        # index info|export|import PATH [-o FILE | FILE...]
        if ((COMP_CWORD == i + 1)); then
            COMPREPLY=($(compgen -W "info export import --help" -- "$cur"))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        return
    fi
    # --opt=value
    local opt=$prev val=$cur
    if [[ $cur == --*=* ]]; then
        opt=${cur%%=*}
        val=${cur#*=}
    fi
    local v
    v=$(_hanfold_values "$cmd" "$opt")
    if [[ $v != NONE && ( $cur == --*=* || $opt == "$prev" ) && $opt == -* ]]; then
        case $v in
            "") COMPREPLY=($(compgen -f -- "$val")) ;;
            DIR) COMPREPLY=($(compgen -d -- "$val")) ;;
            -) ;;
            *) COMPREPLY=($(compgen -W "$v" -- "$val")) ;;
        esac
        if [[ $cur == --*=* ]]; then
            local k
            for k in "${!COMPREPLY[@]}"; do COMPREPLY[k]="$opt=${COMPREPLY[k]}"; done
        fi
        [[ ${COMPREPLY[0]-} == *: ]] && compopt -o nospace 2>/dev/null
        return
    fi
    if [[ $cur == -* ]]; then
        local opts
        opts=$("$prog" "$cmd" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*\|^  -[a-z]' | sed 's/^ *//' | sort -u)
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}

complete -o filenames -F _hanfold hanfold hanfold-mpi
