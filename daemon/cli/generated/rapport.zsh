#compdef rapport

autoload -U is-at-least

_rapport() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_rapport_commands" \
"*::: :->rapport" \
&& ret=0
    case $state in
    (rapport)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-command-$line[1]:"
        case $line[1] in
            (status)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(queue)
_arguments "${_arguments_options[@]}" : \
'--state=[Only tasks in this state (proposed, approved, executing, done, failed, rejected, expired, needs-check)]:STATE:_default' \
'--account=[Only tasks of this account]:ACCOUNT:_default' \
'--limit=[At most this many]:LIMIT:_default' \
'--after=[Only tasks after this id (the last id of the previous page)]:AFTER:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':id -- The task:_default' \
&& ret=0
;;
(approve)
_arguments "${_arguments_options[@]}" : \
'(--edit --text)--campaign=[Every proposed task of this follow campaign instead]:NAME:_default' \
'--text=[The new text (one id only)]:TEXT:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'(--text)--edit[Open \$VISUAL or \$EDITOR on the text (one id only)]' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
'*::ids -- The tasks:_default' \
&& ret=0
;;
(reject)
_arguments "${_arguments_options[@]}" : \
'--reason=[Why]:REASON:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
'*::ids -- The tasks:_default' \
&& ret=0
;;
(resend)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':id -- The task:_default' \
&& ret=0
;;
(retry)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
'*::ids -- The tasks:_default' \
&& ret=0
;;
(mark-done)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':id -- The task:_default' \
&& ret=0
;;
(review)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--plain[Line prompts instead of the full screen (the default when stdin or stdout is not a terminal)]' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(ratio)
_arguments "${_arguments_options[@]}" : \
'--account=[One account only]:ACCOUNT:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(schedule)
_arguments "${_arguments_options[@]}" : \
'--count=[How many slots (one schedule time for one account is one slot)]:COUNT:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(post)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_rapport__subcmd__post_commands" \
"*::: :->post" \
&& ret=0

    case $state in
    (post)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-post-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
'*--account=[An account that may post it (repeat for several; none means all)]:ACCOUNTS:_default' \
'--alt=[Alt text for its image\: what it shows, for people who cannot see it]:ALT:_default' \
'--image=[An image to attach (png, jpeg, gif or webp); needs \`--alt\`]:FILE:_files' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--sales[It promotes something (counts against the sales ratio)]' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':text -- The post'\''s text:_default' \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(remove)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':id -- The entry:_default' \
&& ret=0
;;
(preview)
_arguments "${_arguments_options[@]}" : \
'()--id=[A library entry]:ID:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--sales[The text promotes something]' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
'::text -- Text not in the library:_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_rapport__subcmd__post__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-post-help-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(remove)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(preview)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(campaign)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_rapport__subcmd__campaign_commands" \
"*::: :->campaign" \
&& ret=0

    case $state in
    (campaign)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-campaign-command-$line[1]:"
        case $line[1] in
            (list)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- The campaign'\''s name in config:_default' \
&& ret=0
;;
(pause)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- The campaign'\''s name in config:_default' \
&& ret=0
;;
(resume)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- The campaign'\''s name in config:_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_rapport__subcmd__campaign__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-campaign-help-command-$line[1]:"
        case $line[1] in
            (list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(pause)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(resume)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(circle)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_rapport__subcmd__circle_commands" \
"*::: :->circle" \
&& ret=0

    case $state in
    (circle)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-circle-command-$line[1]:"
        case $line[1] in
            (list)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- The circle'\''s name in config:_default' \
&& ret=0
;;
(add)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- The circle'\''s name in config:_default' \
':member -- The person\: a handle or a platform id:_default' \
&& ret=0
;;
(remove)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':name -- The circle'\''s name in config:_default' \
':member -- The person, as listed by `rapport circle show`:_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_rapport__subcmd__circle__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-circle-help-command-$line[1]:"
        case $line[1] in
            (list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(remove)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(keep)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
":: :_rapport__subcmd__keep_commands" \
"*::: :->keep" \
&& ret=0

    case $state in
    (keep)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-keep-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
'--account=[The account; may be left out when only one is configured]:ACCOUNT:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':handle -- Their handle (@ann@garden.social) or platform id:_default' \
&& ret=0
;;
(remove)
_arguments "${_arguments_options[@]}" : \
'--account=[The account; may be left out when only one is configured]:ACCOUNT:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':handle -- Their handle or platform id, as on the list:_default' \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
'--account=[The account; may be left out when only one is configured]:ACCOUNT:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_rapport__subcmd__keep__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-keep-help-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(remove)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(people)
_arguments "${_arguments_options[@]}" : \
'--account=[Only this account'\''s book]:ACCOUNT:_default' \
'--circle=[Only the members of this circle]:CIRCLE:_default' \
'--losing-touch=[Only people you used to interact with and haven'\''t for this long (30d, 8w, 12h)]:SPAN:_default' \
'--top=[At most this many, the most interacted with first]:N:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
&& ret=0
;;
(person)
_arguments "${_arguments_options[@]}" : \
'--account=[Only this account'\''s book]:ACCOUNT:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':handle -- Their handle (@ann@garden.social) or platform id:_default' \
&& ret=0
;;
(note)
_arguments "${_arguments_options[@]}" : \
'--account=[The account whose book holds them; needed only when several do]:ACCOUNT:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':handle -- Their handle or platform id:_default' \
':text -- The note; an empty one ("") clears it:_default' \
&& ret=0
;;
(tag)
_arguments "${_arguments_options[@]}" : \
'--account=[The account whose book holds them; needed only when several do]:ACCOUNT:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--remove[Take the tag off instead]' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':handle -- Their handle or platform id:_default' \
':tag -- The tag, one word:_default' \
&& ret=0
;;
(forget)
_arguments "${_arguments_options[@]}" : \
'--account=[Only this account'\''s book; every book that holds them when left out]:ACCOUNT:_default' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help]' \
'--help[Print help]' \
':handle -- Their handle or platform id:_default' \
&& ret=0
;;
(report)
_arguments "${_arguments_options[@]}" : \
'--account=[Only this account]:ACCOUNT:_default' \
'--since=[How far back (30d, 8w, 12h)]:SPAN:_default' \
'--by=[Periods of a day or a week]:BY:((day\:"Local days"
week\:"Local weeks, Monday to Sunday"))' \
'--html=[Also write the report as one self-contained HTML page with charts]:FILE:_files' \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
&& ret=0
;;
(generate)
_arguments "${_arguments_options[@]}" : \
'--socket=[The daemon'\''s socket]:PATH:_files' \
'--json[Print the protocol payload as JSON instead of the human view]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
':what -- What to generate:((man\:"Man pages\: \`rapport.1\` and one per command (\`rapport-review.1\`), written into DIR"
bash\:"Bash completions, to stdout"
zsh\:"Zsh completions (\`_rapport\`), to stdout"
fish\:"Fish completions, to stdout"))' \
'::dir -- The directory the man pages go into (created if missing):_files' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_rapport__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-help-command-$line[1]:"
        case $line[1] in
            (status)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(queue)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(approve)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(reject)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(resend)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(retry)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(mark-done)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(review)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(ratio)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(schedule)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(post)
_arguments "${_arguments_options[@]}" : \
":: :_rapport__subcmd__help__subcmd__post_commands" \
"*::: :->post" \
&& ret=0

    case $state in
    (post)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-help-post-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(remove)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(preview)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(campaign)
_arguments "${_arguments_options[@]}" : \
":: :_rapport__subcmd__help__subcmd__campaign_commands" \
"*::: :->campaign" \
&& ret=0

    case $state in
    (campaign)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-help-campaign-command-$line[1]:"
        case $line[1] in
            (list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(pause)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(resume)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(circle)
_arguments "${_arguments_options[@]}" : \
":: :_rapport__subcmd__help__subcmd__circle_commands" \
"*::: :->circle" \
&& ret=0

    case $state in
    (circle)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-help-circle-command-$line[1]:"
        case $line[1] in
            (list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(remove)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(keep)
_arguments "${_arguments_options[@]}" : \
":: :_rapport__subcmd__help__subcmd__keep_commands" \
"*::: :->keep" \
&& ret=0

    case $state in
    (keep)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:rapport-help-keep-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(remove)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(people)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(person)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(note)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(tag)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(forget)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(report)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(generate)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_rapport_commands] )) ||
_rapport_commands() {
    local commands; commands=(
'status:Accounts, plugin health, last poll, queue counts, rate headroom' \
'queue:List tasks (oldest first)' \
'show:One task in full' \
'approve:Approve tasks; with --edit or --text, replace the reply or post text first; with --campaign, every proposed task of a follow campaign' \
'reject:Reject tasks' \
'resend:Send a needs-check task again (you checked the platform did not get it)' \
'retry:Send failed tasks again once their cause is fixed (e.g. a token given a missing scope)' \
'mark-done:Mark a needs-check task done (you checked the platform got it)' \
'review:Decide the proposed tasks on a full screen\: each with the post it answers, its draft and the person; approve, edit, reject, skip, undo (--plain\: line prompts)' \
'ratio:The non-sales/sales post ratio' \
'schedule:The next scheduled post slots in their local time\: the entry each takes and what the gate would say then (each slot counts what the earlier ones post); then the slots missed while rapportd was down' \
'post:The content library of scheduled posts' \
'campaign:Follow campaigns\: their goals, whether paused, their tasks; pause and resume them' \
'circle:Circles\: the people engaged with daily, the doses, their tasks' \
'keep:The keep-list\: the people the purge never unfollows' \
'people:The relationship book\: the people you interact with, most first; a circle'\''s; those you are losing touch with' \
'person:One person\: how you stand, your history both ways, the note and tags' \
'note:Write a note about a person (an empty one clears it)' \
'tag:Tag a person (--remove takes the tag off)' \
'forget:Delete everything the book holds about a person' \
'report:The engagement report\: engagement rate per post and per day or week, follower growth, follow-back, reply times, what was posted, actions against budget, who engaged most; --html FILE also writes it as a page with charts' \
'generate:Write the man pages or a shell'\''s completions (\`cargo xtask install\` installs them)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'rapport commands' commands "$@"
}
(( $+functions[_rapport__subcmd__approve_commands] )) ||
_rapport__subcmd__approve_commands() {
    local commands; commands=()
    _describe -t commands 'rapport approve commands' commands "$@"
}
(( $+functions[_rapport__subcmd__campaign_commands] )) ||
_rapport__subcmd__campaign_commands() {
    local commands; commands=(
'list:Every campaign\: account, sources, goal, paused or not, its tasks' \
'show:One campaign in full, with its proposed follows' \
'pause:Stop a campaign proposing anyone until it is resumed (its proposed tasks stay queued)' \
'resume:Let a paused campaign propose again' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'rapport campaign commands' commands "$@"
}
(( $+functions[_rapport__subcmd__campaign__subcmd__help_commands] )) ||
_rapport__subcmd__campaign__subcmd__help_commands() {
    local commands; commands=(
'list:Every campaign\: account, sources, goal, paused or not, its tasks' \
'show:One campaign in full, with its proposed follows' \
'pause:Stop a campaign proposing anyone until it is resumed (its proposed tasks stay queued)' \
'resume:Let a paused campaign propose again' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'rapport campaign help commands' commands "$@"
}
(( $+functions[_rapport__subcmd__campaign__subcmd__help__subcmd__help_commands] )) ||
_rapport__subcmd__campaign__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'rapport campaign help help commands' commands "$@"
}
(( $+functions[_rapport__subcmd__campaign__subcmd__help__subcmd__list_commands] )) ||
_rapport__subcmd__campaign__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'rapport campaign help list commands' commands "$@"
}
(( $+functions[_rapport__subcmd__campaign__subcmd__help__subcmd__pause_commands] )) ||
_rapport__subcmd__campaign__subcmd__help__subcmd__pause_commands() {
    local commands; commands=()
    _describe -t commands 'rapport campaign help pause commands' commands "$@"
}
(( $+functions[_rapport__subcmd__campaign__subcmd__help__subcmd__resume_commands] )) ||
_rapport__subcmd__campaign__subcmd__help__subcmd__resume_commands() {
    local commands; commands=()
    _describe -t commands 'rapport campaign help resume commands' commands "$@"
}
(( $+functions[_rapport__subcmd__campaign__subcmd__help__subcmd__show_commands] )) ||
_rapport__subcmd__campaign__subcmd__help__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'rapport campaign help show commands' commands "$@"
}
(( $+functions[_rapport__subcmd__campaign__subcmd__list_commands] )) ||
_rapport__subcmd__campaign__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'rapport campaign list commands' commands "$@"
}
(( $+functions[_rapport__subcmd__campaign__subcmd__pause_commands] )) ||
_rapport__subcmd__campaign__subcmd__pause_commands() {
    local commands; commands=()
    _describe -t commands 'rapport campaign pause commands' commands "$@"
}
(( $+functions[_rapport__subcmd__campaign__subcmd__resume_commands] )) ||
_rapport__subcmd__campaign__subcmd__resume_commands() {
    local commands; commands=()
    _describe -t commands 'rapport campaign resume commands' commands "$@"
}
(( $+functions[_rapport__subcmd__campaign__subcmd__show_commands] )) ||
_rapport__subcmd__campaign__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'rapport campaign show commands' commands "$@"
}
(( $+functions[_rapport__subcmd__circle_commands] )) ||
_rapport__subcmd__circle_commands() {
    local commands; commands=(
'list:Every circle\: account, members, daily doses, time of day, its tasks' \
'show:One circle in full, with its members' \
'add:Add someone to a circle (kept across restarts, beside the configured members)' \
'remove:Take someone out of a circle (a configured member too)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'rapport circle commands' commands "$@"
}
(( $+functions[_rapport__subcmd__circle__subcmd__add_commands] )) ||
_rapport__subcmd__circle__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'rapport circle add commands' commands "$@"
}
(( $+functions[_rapport__subcmd__circle__subcmd__help_commands] )) ||
_rapport__subcmd__circle__subcmd__help_commands() {
    local commands; commands=(
'list:Every circle\: account, members, daily doses, time of day, its tasks' \
'show:One circle in full, with its members' \
'add:Add someone to a circle (kept across restarts, beside the configured members)' \
'remove:Take someone out of a circle (a configured member too)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'rapport circle help commands' commands "$@"
}
(( $+functions[_rapport__subcmd__circle__subcmd__help__subcmd__add_commands] )) ||
_rapport__subcmd__circle__subcmd__help__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'rapport circle help add commands' commands "$@"
}
(( $+functions[_rapport__subcmd__circle__subcmd__help__subcmd__help_commands] )) ||
_rapport__subcmd__circle__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'rapport circle help help commands' commands "$@"
}
(( $+functions[_rapport__subcmd__circle__subcmd__help__subcmd__list_commands] )) ||
_rapport__subcmd__circle__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'rapport circle help list commands' commands "$@"
}
(( $+functions[_rapport__subcmd__circle__subcmd__help__subcmd__remove_commands] )) ||
_rapport__subcmd__circle__subcmd__help__subcmd__remove_commands() {
    local commands; commands=()
    _describe -t commands 'rapport circle help remove commands' commands "$@"
}
(( $+functions[_rapport__subcmd__circle__subcmd__help__subcmd__show_commands] )) ||
_rapport__subcmd__circle__subcmd__help__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'rapport circle help show commands' commands "$@"
}
(( $+functions[_rapport__subcmd__circle__subcmd__list_commands] )) ||
_rapport__subcmd__circle__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'rapport circle list commands' commands "$@"
}
(( $+functions[_rapport__subcmd__circle__subcmd__remove_commands] )) ||
_rapport__subcmd__circle__subcmd__remove_commands() {
    local commands; commands=()
    _describe -t commands 'rapport circle remove commands' commands "$@"
}
(( $+functions[_rapport__subcmd__circle__subcmd__show_commands] )) ||
_rapport__subcmd__circle__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'rapport circle show commands' commands "$@"
}
(( $+functions[_rapport__subcmd__forget_commands] )) ||
_rapport__subcmd__forget_commands() {
    local commands; commands=()
    _describe -t commands 'rapport forget commands' commands "$@"
}
(( $+functions[_rapport__subcmd__generate_commands] )) ||
_rapport__subcmd__generate_commands() {
    local commands; commands=()
    _describe -t commands 'rapport generate commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help_commands] )) ||
_rapport__subcmd__help_commands() {
    local commands; commands=(
'status:Accounts, plugin health, last poll, queue counts, rate headroom' \
'queue:List tasks (oldest first)' \
'show:One task in full' \
'approve:Approve tasks; with --edit or --text, replace the reply or post text first; with --campaign, every proposed task of a follow campaign' \
'reject:Reject tasks' \
'resend:Send a needs-check task again (you checked the platform did not get it)' \
'retry:Send failed tasks again once their cause is fixed (e.g. a token given a missing scope)' \
'mark-done:Mark a needs-check task done (you checked the platform got it)' \
'review:Decide the proposed tasks on a full screen\: each with the post it answers, its draft and the person; approve, edit, reject, skip, undo (--plain\: line prompts)' \
'ratio:The non-sales/sales post ratio' \
'schedule:The next scheduled post slots in their local time\: the entry each takes and what the gate would say then (each slot counts what the earlier ones post); then the slots missed while rapportd was down' \
'post:The content library of scheduled posts' \
'campaign:Follow campaigns\: their goals, whether paused, their tasks; pause and resume them' \
'circle:Circles\: the people engaged with daily, the doses, their tasks' \
'keep:The keep-list\: the people the purge never unfollows' \
'people:The relationship book\: the people you interact with, most first; a circle'\''s; those you are losing touch with' \
'person:One person\: how you stand, your history both ways, the note and tags' \
'note:Write a note about a person (an empty one clears it)' \
'tag:Tag a person (--remove takes the tag off)' \
'forget:Delete everything the book holds about a person' \
'report:The engagement report\: engagement rate per post and per day or week, follower growth, follow-back, reply times, what was posted, actions against budget, who engaged most; --html FILE also writes it as a page with charts' \
'generate:Write the man pages or a shell'\''s completions (\`cargo xtask install\` installs them)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'rapport help commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__approve_commands] )) ||
_rapport__subcmd__help__subcmd__approve_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help approve commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__campaign_commands] )) ||
_rapport__subcmd__help__subcmd__campaign_commands() {
    local commands; commands=(
'list:Every campaign\: account, sources, goal, paused or not, its tasks' \
'show:One campaign in full, with its proposed follows' \
'pause:Stop a campaign proposing anyone until it is resumed (its proposed tasks stay queued)' \
'resume:Let a paused campaign propose again' \
    )
    _describe -t commands 'rapport help campaign commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__campaign__subcmd__list_commands] )) ||
_rapport__subcmd__help__subcmd__campaign__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help campaign list commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__campaign__subcmd__pause_commands] )) ||
_rapport__subcmd__help__subcmd__campaign__subcmd__pause_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help campaign pause commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__campaign__subcmd__resume_commands] )) ||
_rapport__subcmd__help__subcmd__campaign__subcmd__resume_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help campaign resume commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__campaign__subcmd__show_commands] )) ||
_rapport__subcmd__help__subcmd__campaign__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help campaign show commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__circle_commands] )) ||
_rapport__subcmd__help__subcmd__circle_commands() {
    local commands; commands=(
'list:Every circle\: account, members, daily doses, time of day, its tasks' \
'show:One circle in full, with its members' \
'add:Add someone to a circle (kept across restarts, beside the configured members)' \
'remove:Take someone out of a circle (a configured member too)' \
    )
    _describe -t commands 'rapport help circle commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__circle__subcmd__add_commands] )) ||
_rapport__subcmd__help__subcmd__circle__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help circle add commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__circle__subcmd__list_commands] )) ||
_rapport__subcmd__help__subcmd__circle__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help circle list commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__circle__subcmd__remove_commands] )) ||
_rapport__subcmd__help__subcmd__circle__subcmd__remove_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help circle remove commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__circle__subcmd__show_commands] )) ||
_rapport__subcmd__help__subcmd__circle__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help circle show commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__forget_commands] )) ||
_rapport__subcmd__help__subcmd__forget_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help forget commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__generate_commands] )) ||
_rapport__subcmd__help__subcmd__generate_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help generate commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__help_commands] )) ||
_rapport__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help help commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__keep_commands] )) ||
_rapport__subcmd__help__subcmd__keep_commands() {
    local commands; commands=(
'add:Keep someone\: the purge never proposes unfollowing them' \
'remove:Take someone off the keep-list' \
'list:The people kept' \
    )
    _describe -t commands 'rapport help keep commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__keep__subcmd__add_commands] )) ||
_rapport__subcmd__help__subcmd__keep__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help keep add commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__keep__subcmd__list_commands] )) ||
_rapport__subcmd__help__subcmd__keep__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help keep list commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__keep__subcmd__remove_commands] )) ||
_rapport__subcmd__help__subcmd__keep__subcmd__remove_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help keep remove commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__mark-done_commands] )) ||
_rapport__subcmd__help__subcmd__mark-done_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help mark-done commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__note_commands] )) ||
_rapport__subcmd__help__subcmd__note_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help note commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__people_commands] )) ||
_rapport__subcmd__help__subcmd__people_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help people commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__person_commands] )) ||
_rapport__subcmd__help__subcmd__person_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help person commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__post_commands] )) ||
_rapport__subcmd__help__subcmd__post_commands() {
    local commands; commands=(
'add:Add an entry' \
'list:List the entries' \
'remove:Remove an entry' \
'preview:Show how an entry, or some text, would go out' \
    )
    _describe -t commands 'rapport help post commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__post__subcmd__add_commands] )) ||
_rapport__subcmd__help__subcmd__post__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help post add commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__post__subcmd__list_commands] )) ||
_rapport__subcmd__help__subcmd__post__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help post list commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__post__subcmd__preview_commands] )) ||
_rapport__subcmd__help__subcmd__post__subcmd__preview_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help post preview commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__post__subcmd__remove_commands] )) ||
_rapport__subcmd__help__subcmd__post__subcmd__remove_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help post remove commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__queue_commands] )) ||
_rapport__subcmd__help__subcmd__queue_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help queue commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__ratio_commands] )) ||
_rapport__subcmd__help__subcmd__ratio_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help ratio commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__reject_commands] )) ||
_rapport__subcmd__help__subcmd__reject_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help reject commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__report_commands] )) ||
_rapport__subcmd__help__subcmd__report_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help report commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__resend_commands] )) ||
_rapport__subcmd__help__subcmd__resend_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help resend commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__retry_commands] )) ||
_rapport__subcmd__help__subcmd__retry_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help retry commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__review_commands] )) ||
_rapport__subcmd__help__subcmd__review_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help review commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__schedule_commands] )) ||
_rapport__subcmd__help__subcmd__schedule_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help schedule commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__show_commands] )) ||
_rapport__subcmd__help__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help show commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__status_commands] )) ||
_rapport__subcmd__help__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help status commands' commands "$@"
}
(( $+functions[_rapport__subcmd__help__subcmd__tag_commands] )) ||
_rapport__subcmd__help__subcmd__tag_commands() {
    local commands; commands=()
    _describe -t commands 'rapport help tag commands' commands "$@"
}
(( $+functions[_rapport__subcmd__keep_commands] )) ||
_rapport__subcmd__keep_commands() {
    local commands; commands=(
'add:Keep someone\: the purge never proposes unfollowing them' \
'remove:Take someone off the keep-list' \
'list:The people kept' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'rapport keep commands' commands "$@"
}
(( $+functions[_rapport__subcmd__keep__subcmd__add_commands] )) ||
_rapport__subcmd__keep__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'rapport keep add commands' commands "$@"
}
(( $+functions[_rapport__subcmd__keep__subcmd__help_commands] )) ||
_rapport__subcmd__keep__subcmd__help_commands() {
    local commands; commands=(
'add:Keep someone\: the purge never proposes unfollowing them' \
'remove:Take someone off the keep-list' \
'list:The people kept' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'rapport keep help commands' commands "$@"
}
(( $+functions[_rapport__subcmd__keep__subcmd__help__subcmd__add_commands] )) ||
_rapport__subcmd__keep__subcmd__help__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'rapport keep help add commands' commands "$@"
}
(( $+functions[_rapport__subcmd__keep__subcmd__help__subcmd__help_commands] )) ||
_rapport__subcmd__keep__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'rapport keep help help commands' commands "$@"
}
(( $+functions[_rapport__subcmd__keep__subcmd__help__subcmd__list_commands] )) ||
_rapport__subcmd__keep__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'rapport keep help list commands' commands "$@"
}
(( $+functions[_rapport__subcmd__keep__subcmd__help__subcmd__remove_commands] )) ||
_rapport__subcmd__keep__subcmd__help__subcmd__remove_commands() {
    local commands; commands=()
    _describe -t commands 'rapport keep help remove commands' commands "$@"
}
(( $+functions[_rapport__subcmd__keep__subcmd__list_commands] )) ||
_rapport__subcmd__keep__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'rapport keep list commands' commands "$@"
}
(( $+functions[_rapport__subcmd__keep__subcmd__remove_commands] )) ||
_rapport__subcmd__keep__subcmd__remove_commands() {
    local commands; commands=()
    _describe -t commands 'rapport keep remove commands' commands "$@"
}
(( $+functions[_rapport__subcmd__mark-done_commands] )) ||
_rapport__subcmd__mark-done_commands() {
    local commands; commands=()
    _describe -t commands 'rapport mark-done commands' commands "$@"
}
(( $+functions[_rapport__subcmd__note_commands] )) ||
_rapport__subcmd__note_commands() {
    local commands; commands=()
    _describe -t commands 'rapport note commands' commands "$@"
}
(( $+functions[_rapport__subcmd__people_commands] )) ||
_rapport__subcmd__people_commands() {
    local commands; commands=()
    _describe -t commands 'rapport people commands' commands "$@"
}
(( $+functions[_rapport__subcmd__person_commands] )) ||
_rapport__subcmd__person_commands() {
    local commands; commands=()
    _describe -t commands 'rapport person commands' commands "$@"
}
(( $+functions[_rapport__subcmd__post_commands] )) ||
_rapport__subcmd__post_commands() {
    local commands; commands=(
'add:Add an entry' \
'list:List the entries' \
'remove:Remove an entry' \
'preview:Show how an entry, or some text, would go out' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'rapport post commands' commands "$@"
}
(( $+functions[_rapport__subcmd__post__subcmd__add_commands] )) ||
_rapport__subcmd__post__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'rapport post add commands' commands "$@"
}
(( $+functions[_rapport__subcmd__post__subcmd__help_commands] )) ||
_rapport__subcmd__post__subcmd__help_commands() {
    local commands; commands=(
'add:Add an entry' \
'list:List the entries' \
'remove:Remove an entry' \
'preview:Show how an entry, or some text, would go out' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'rapport post help commands' commands "$@"
}
(( $+functions[_rapport__subcmd__post__subcmd__help__subcmd__add_commands] )) ||
_rapport__subcmd__post__subcmd__help__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'rapport post help add commands' commands "$@"
}
(( $+functions[_rapport__subcmd__post__subcmd__help__subcmd__help_commands] )) ||
_rapport__subcmd__post__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'rapport post help help commands' commands "$@"
}
(( $+functions[_rapport__subcmd__post__subcmd__help__subcmd__list_commands] )) ||
_rapport__subcmd__post__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'rapport post help list commands' commands "$@"
}
(( $+functions[_rapport__subcmd__post__subcmd__help__subcmd__preview_commands] )) ||
_rapport__subcmd__post__subcmd__help__subcmd__preview_commands() {
    local commands; commands=()
    _describe -t commands 'rapport post help preview commands' commands "$@"
}
(( $+functions[_rapport__subcmd__post__subcmd__help__subcmd__remove_commands] )) ||
_rapport__subcmd__post__subcmd__help__subcmd__remove_commands() {
    local commands; commands=()
    _describe -t commands 'rapport post help remove commands' commands "$@"
}
(( $+functions[_rapport__subcmd__post__subcmd__list_commands] )) ||
_rapport__subcmd__post__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'rapport post list commands' commands "$@"
}
(( $+functions[_rapport__subcmd__post__subcmd__preview_commands] )) ||
_rapport__subcmd__post__subcmd__preview_commands() {
    local commands; commands=()
    _describe -t commands 'rapport post preview commands' commands "$@"
}
(( $+functions[_rapport__subcmd__post__subcmd__remove_commands] )) ||
_rapport__subcmd__post__subcmd__remove_commands() {
    local commands; commands=()
    _describe -t commands 'rapport post remove commands' commands "$@"
}
(( $+functions[_rapport__subcmd__queue_commands] )) ||
_rapport__subcmd__queue_commands() {
    local commands; commands=()
    _describe -t commands 'rapport queue commands' commands "$@"
}
(( $+functions[_rapport__subcmd__ratio_commands] )) ||
_rapport__subcmd__ratio_commands() {
    local commands; commands=()
    _describe -t commands 'rapport ratio commands' commands "$@"
}
(( $+functions[_rapport__subcmd__reject_commands] )) ||
_rapport__subcmd__reject_commands() {
    local commands; commands=()
    _describe -t commands 'rapport reject commands' commands "$@"
}
(( $+functions[_rapport__subcmd__report_commands] )) ||
_rapport__subcmd__report_commands() {
    local commands; commands=()
    _describe -t commands 'rapport report commands' commands "$@"
}
(( $+functions[_rapport__subcmd__resend_commands] )) ||
_rapport__subcmd__resend_commands() {
    local commands; commands=()
    _describe -t commands 'rapport resend commands' commands "$@"
}
(( $+functions[_rapport__subcmd__retry_commands] )) ||
_rapport__subcmd__retry_commands() {
    local commands; commands=()
    _describe -t commands 'rapport retry commands' commands "$@"
}
(( $+functions[_rapport__subcmd__review_commands] )) ||
_rapport__subcmd__review_commands() {
    local commands; commands=()
    _describe -t commands 'rapport review commands' commands "$@"
}
(( $+functions[_rapport__subcmd__schedule_commands] )) ||
_rapport__subcmd__schedule_commands() {
    local commands; commands=()
    _describe -t commands 'rapport schedule commands' commands "$@"
}
(( $+functions[_rapport__subcmd__show_commands] )) ||
_rapport__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'rapport show commands' commands "$@"
}
(( $+functions[_rapport__subcmd__status_commands] )) ||
_rapport__subcmd__status_commands() {
    local commands; commands=()
    _describe -t commands 'rapport status commands' commands "$@"
}
(( $+functions[_rapport__subcmd__tag_commands] )) ||
_rapport__subcmd__tag_commands() {
    local commands; commands=()
    _describe -t commands 'rapport tag commands' commands "$@"
}

if [ "$funcstack[1]" = "_rapport" ]; then
    _rapport "$@"
else
    compdef _rapport rapport
fi
