# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rapport_global_optspecs
    string join \n socket= json h/help V/version
end

function __fish_rapport_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rapport_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rapport_using_subcommand
    set -l cmd (__fish_rapport_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rapport -n "__fish_rapport_needs_command" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_needs_command" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rapport -n "__fish_rapport_needs_command" -s V -l version -d 'Print version'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "status" -d 'Accounts, plugin health, last poll, queue counts, rate headroom'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "queue" -d 'List tasks (oldest first)'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "show" -d 'One task in full'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "approve" -d 'Approve tasks; with --edit or --text, replace the reply or post text first; with --campaign, every proposed task of a follow campaign'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "reject" -d 'Reject tasks'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "resend" -d 'Send a needs-check task again (you checked the platform did not get it)'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "retry" -d 'Send failed tasks again once their cause is fixed (e.g. a token given a missing scope)'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "mark-done" -d 'Mark a needs-check task done (you checked the platform got it)'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "review" -d 'Decide the proposed tasks on a full screen: each with the post it answers, its draft and the person; approve, edit, reject, skip, undo (--plain: line prompts)'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "ratio" -d 'The non-sales/sales post ratio'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "schedule" -d 'The next scheduled post slots in their local time: the entry each takes and what the gate would say then (each slot counts what the earlier ones post); then the slots missed while rapportd was down'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "post" -d 'The content library of scheduled posts'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "campaign" -d 'Follow campaigns: their goals, whether paused, their tasks; pause and resume them'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "circle" -d 'Circles: the people engaged with daily, the doses, their tasks'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "keep" -d 'The keep-list: the people the purge never unfollows'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "people" -d 'The relationship book: the people you interact with, most first; a circle\'s; those you are losing touch with'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "person" -d 'One person: how you stand, your history both ways, the note and tags'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "note" -d 'Write a note about a person (an empty one clears it)'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "tag" -d 'Tag a person (--remove takes the tag off)'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "forget" -d 'Delete everything the book holds about a person'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "report" -d 'The engagement report: engagement rate per post and per day or week, follower growth, follow-back, reply times, what was posted, actions against budget, who engaged most; --html FILE also writes it as a page with charts'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "generate" -d 'Write the man pages or a shell\'s completions (`cargo xtask install` installs them)'
complete -c rapport -n "__fish_rapport_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rapport -n "__fish_rapport_using_subcommand status" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand status" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand status" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand queue" -l state -d 'Only tasks in this state (proposed, approved, executing, done, failed, rejected, expired, needs-check)' -r
complete -c rapport -n "__fish_rapport_using_subcommand queue" -l account -d 'Only tasks of this account' -r
complete -c rapport -n "__fish_rapport_using_subcommand queue" -l limit -d 'At most this many' -r
complete -c rapport -n "__fish_rapport_using_subcommand queue" -l after -d 'Only tasks after this id (the last id of the previous page)' -r
complete -c rapport -n "__fish_rapport_using_subcommand queue" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand queue" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand queue" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand show" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand show" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand show" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand approve" -l campaign -d 'Every proposed task of this follow campaign instead' -r
complete -c rapport -n "__fish_rapport_using_subcommand approve" -l text -d 'The new text (one id only)' -r
complete -c rapport -n "__fish_rapport_using_subcommand approve" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand approve" -l edit -d 'Open $VISUAL or $EDITOR on the text (one id only)'
complete -c rapport -n "__fish_rapport_using_subcommand approve" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand approve" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand reject" -l reason -d 'Why' -r
complete -c rapport -n "__fish_rapport_using_subcommand reject" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand reject" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand reject" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand resend" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand resend" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand resend" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand retry" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand retry" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand retry" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand mark-done" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand mark-done" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand mark-done" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand review" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand review" -l plain -d 'Line prompts instead of the full screen (the default when stdin or stdout is not a terminal)'
complete -c rapport -n "__fish_rapport_using_subcommand review" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand review" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand ratio" -l account -d 'One account only' -r
complete -c rapport -n "__fish_rapport_using_subcommand ratio" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand ratio" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand ratio" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand schedule" -l count -d 'How many slots (one schedule time for one account is one slot)' -r
complete -c rapport -n "__fish_rapport_using_subcommand schedule" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand schedule" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand schedule" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand post; and not __fish_seen_subcommand_from add list remove preview help" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand post; and not __fish_seen_subcommand_from add list remove preview help" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand post; and not __fish_seen_subcommand_from add list remove preview help" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand post; and not __fish_seen_subcommand_from add list remove preview help" -f -a "add" -d 'Add an entry'
complete -c rapport -n "__fish_rapport_using_subcommand post; and not __fish_seen_subcommand_from add list remove preview help" -f -a "list" -d 'List the entries'
complete -c rapport -n "__fish_rapport_using_subcommand post; and not __fish_seen_subcommand_from add list remove preview help" -f -a "remove" -d 'Remove an entry'
complete -c rapport -n "__fish_rapport_using_subcommand post; and not __fish_seen_subcommand_from add list remove preview help" -f -a "preview" -d 'Show how an entry, or some text, would go out'
complete -c rapport -n "__fish_rapport_using_subcommand post; and not __fish_seen_subcommand_from add list remove preview help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from add" -l account -d 'An account that may post it (repeat for several; none means all)' -r
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from add" -l alt -d 'Alt text for its image: what it shows, for people who cannot see it' -r
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from add" -l image -d 'An image to attach (png, jpeg, gif or webp); needs `--alt`' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from add" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from add" -l sales -d 'It promotes something (counts against the sales ratio)'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from add" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from list" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from list" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from remove" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from remove" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from preview" -l id -d 'A library entry' -r
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from preview" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from preview" -l sales -d 'The text promotes something'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from preview" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from preview" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add an entry'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the entries'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove an entry'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from help" -f -a "preview" -d 'Show how an entry, or some text, would go out'
complete -c rapport -n "__fish_rapport_using_subcommand post; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and not __fish_seen_subcommand_from list show pause resume help" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and not __fish_seen_subcommand_from list show pause resume help" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and not __fish_seen_subcommand_from list show pause resume help" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and not __fish_seen_subcommand_from list show pause resume help" -f -a "list" -d 'Every campaign: account, sources, goal, paused or not, its tasks'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and not __fish_seen_subcommand_from list show pause resume help" -f -a "show" -d 'One campaign in full, with its proposed follows'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and not __fish_seen_subcommand_from list show pause resume help" -f -a "pause" -d 'Stop a campaign proposing anyone until it is resumed (its proposed tasks stay queued)'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and not __fish_seen_subcommand_from list show pause resume help" -f -a "resume" -d 'Let a paused campaign propose again'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and not __fish_seen_subcommand_from list show pause resume help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from list" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from list" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from show" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from show" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from pause" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from pause" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from resume" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from resume" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every campaign: account, sources, goal, paused or not, its tasks'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from help" -f -a "show" -d 'One campaign in full, with its proposed follows'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Stop a campaign proposing anyone until it is resumed (its proposed tasks stay queued)'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Let a paused campaign propose again'
complete -c rapport -n "__fish_rapport_using_subcommand campaign; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and not __fish_seen_subcommand_from list show add remove help" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand circle; and not __fish_seen_subcommand_from list show add remove help" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and not __fish_seen_subcommand_from list show add remove help" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and not __fish_seen_subcommand_from list show add remove help" -f -a "list" -d 'Every circle: account, members, daily doses, time of day, its tasks'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and not __fish_seen_subcommand_from list show add remove help" -f -a "show" -d 'One circle in full, with its members'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and not __fish_seen_subcommand_from list show add remove help" -f -a "add" -d 'Add someone to a circle (kept across restarts, beside the configured members)'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and not __fish_seen_subcommand_from list show add remove help" -f -a "remove" -d 'Take someone out of a circle (a configured member too)'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and not __fish_seen_subcommand_from list show add remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from list" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from list" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from show" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from show" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from add" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from add" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from remove" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from remove" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every circle: account, members, daily doses, time of day, its tasks'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from help" -f -a "show" -d 'One circle in full, with its members'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add someone to a circle (kept across restarts, beside the configured members)'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Take someone out of a circle (a configured member too)'
complete -c rapport -n "__fish_rapport_using_subcommand circle; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and not __fish_seen_subcommand_from add remove list help" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand keep; and not __fish_seen_subcommand_from add remove list help" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and not __fish_seen_subcommand_from add remove list help" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and not __fish_seen_subcommand_from add remove list help" -f -a "add" -d 'Keep someone: the purge never proposes unfollowing them'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and not __fish_seen_subcommand_from add remove list help" -f -a "remove" -d 'Take someone off the keep-list'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and not __fish_seen_subcommand_from add remove list help" -f -a "list" -d 'The people kept'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and not __fish_seen_subcommand_from add remove list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from add" -l account -d 'The account; may be left out when only one is configured' -r
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from add" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from add" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from remove" -l account -d 'The account; may be left out when only one is configured' -r
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from remove" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from remove" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from list" -l account -d 'The account; may be left out when only one is configured' -r
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from list" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from list" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from help" -f -a "add" -d 'Keep someone: the purge never proposes unfollowing them'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Take someone off the keep-list'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from help" -f -a "list" -d 'The people kept'
complete -c rapport -n "__fish_rapport_using_subcommand keep; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rapport -n "__fish_rapport_using_subcommand people" -l account -d 'Only this account\'s book' -r
complete -c rapport -n "__fish_rapport_using_subcommand people" -l circle -d 'Only the members of this circle' -r
complete -c rapport -n "__fish_rapport_using_subcommand people" -l losing-touch -d 'Only people you used to interact with and haven\'t for this long (30d, 8w, 12h)' -r
complete -c rapport -n "__fish_rapport_using_subcommand people" -l top -d 'At most this many, the most interacted with first' -r
complete -c rapport -n "__fish_rapport_using_subcommand people" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand people" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand people" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand person" -l account -d 'Only this account\'s book' -r
complete -c rapport -n "__fish_rapport_using_subcommand person" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand person" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand person" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand note" -l account -d 'The account whose book holds them; needed only when several do' -r
complete -c rapport -n "__fish_rapport_using_subcommand note" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand note" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand note" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand tag" -l account -d 'The account whose book holds them; needed only when several do' -r
complete -c rapport -n "__fish_rapport_using_subcommand tag" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand tag" -l remove -d 'Take the tag off instead'
complete -c rapport -n "__fish_rapport_using_subcommand tag" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand tag" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand forget" -l account -d 'Only this account\'s book; every book that holds them when left out' -r
complete -c rapport -n "__fish_rapport_using_subcommand forget" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand forget" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand forget" -s h -l help -d 'Print help'
complete -c rapport -n "__fish_rapport_using_subcommand report" -l account -d 'Only this account' -r
complete -c rapport -n "__fish_rapport_using_subcommand report" -l since -d 'How far back (30d, 8w, 12h)' -r
complete -c rapport -n "__fish_rapport_using_subcommand report" -l by -d 'Periods of a day or a week' -r -f -a "day\t'Local days'
week\t'Local weeks, Monday to Sunday'"
complete -c rapport -n "__fish_rapport_using_subcommand report" -l html -d 'Also write the report as one self-contained HTML page with charts' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand report" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand report" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rapport -n "__fish_rapport_using_subcommand generate" -l socket -d 'The daemon\'s socket' -r -F
complete -c rapport -n "__fish_rapport_using_subcommand generate" -l json -d 'Print the protocol payload as JSON instead of the human view'
complete -c rapport -n "__fish_rapport_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "status" -d 'Accounts, plugin health, last poll, queue counts, rate headroom'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "queue" -d 'List tasks (oldest first)'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "show" -d 'One task in full'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "approve" -d 'Approve tasks; with --edit or --text, replace the reply or post text first; with --campaign, every proposed task of a follow campaign'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "reject" -d 'Reject tasks'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "resend" -d 'Send a needs-check task again (you checked the platform did not get it)'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "retry" -d 'Send failed tasks again once their cause is fixed (e.g. a token given a missing scope)'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "mark-done" -d 'Mark a needs-check task done (you checked the platform got it)'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "review" -d 'Decide the proposed tasks on a full screen: each with the post it answers, its draft and the person; approve, edit, reject, skip, undo (--plain: line prompts)'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "ratio" -d 'The non-sales/sales post ratio'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "schedule" -d 'The next scheduled post slots in their local time: the entry each takes and what the gate would say then (each slot counts what the earlier ones post); then the slots missed while rapportd was down'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "post" -d 'The content library of scheduled posts'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "campaign" -d 'Follow campaigns: their goals, whether paused, their tasks; pause and resume them'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "circle" -d 'Circles: the people engaged with daily, the doses, their tasks'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "keep" -d 'The keep-list: the people the purge never unfollows'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "people" -d 'The relationship book: the people you interact with, most first; a circle\'s; those you are losing touch with'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "person" -d 'One person: how you stand, your history both ways, the note and tags'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "note" -d 'Write a note about a person (an empty one clears it)'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "tag" -d 'Tag a person (--remove takes the tag off)'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "forget" -d 'Delete everything the book holds about a person'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "report" -d 'The engagement report: engagement rate per post and per day or week, follower growth, follow-back, reply times, what was posted, actions against budget, who engaged most; --html FILE also writes it as a page with charts'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "generate" -d 'Write the man pages or a shell\'s completions (`cargo xtask install` installs them)'
complete -c rapport -n "__fish_rapport_using_subcommand help; and not __fish_seen_subcommand_from status queue show approve reject resend retry mark-done review ratio schedule post campaign circle keep people person note tag forget report generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from post" -f -a "add" -d 'Add an entry'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from post" -f -a "list" -d 'List the entries'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from post" -f -a "remove" -d 'Remove an entry'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from post" -f -a "preview" -d 'Show how an entry, or some text, would go out'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from campaign" -f -a "list" -d 'Every campaign: account, sources, goal, paused or not, its tasks'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from campaign" -f -a "show" -d 'One campaign in full, with its proposed follows'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from campaign" -f -a "pause" -d 'Stop a campaign proposing anyone until it is resumed (its proposed tasks stay queued)'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from campaign" -f -a "resume" -d 'Let a paused campaign propose again'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from circle" -f -a "list" -d 'Every circle: account, members, daily doses, time of day, its tasks'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from circle" -f -a "show" -d 'One circle in full, with its members'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from circle" -f -a "add" -d 'Add someone to a circle (kept across restarts, beside the configured members)'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from circle" -f -a "remove" -d 'Take someone out of a circle (a configured member too)'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from keep" -f -a "add" -d 'Keep someone: the purge never proposes unfollowing them'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from keep" -f -a "remove" -d 'Take someone off the keep-list'
complete -c rapport -n "__fish_rapport_using_subcommand help; and __fish_seen_subcommand_from keep" -f -a "list" -d 'The people kept'
