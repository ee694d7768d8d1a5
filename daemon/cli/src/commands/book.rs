//! The relationship book: `rapport people`, `rapport person HANDLE`, `rapport note HANDLE TEXT`,
//! `rapport tag HANDLE TAG` and `rapport forget HANDLE`.

use std::fmt::Write as _;

use rapport_core::UnixSeconds;
use rapport_core::book::Standing;
use rapport_core::history::{Direction, Interaction};
use rapport_protocol::requests::{Forget, People, Person, PersonNote, PersonTag};
use rapport_protocol::{Forgotten, PersonDetail, PersonSummary};

use super::{Context, now};
use crate::Exit;
use crate::duration::parse_span;
use crate::view::{many, relative, table, utc};

/// Arguments of `rapport people`.
#[derive(Debug, clap::Args)]
pub struct PeopleArgs {
    /// Only this account's book.
    #[arg(long)]
    account: Option<String>,
    /// Only the members of this circle.
    #[arg(long)]
    circle: Option<String>,
    /// Only people you used to interact with and haven't for this long (30d, 8w, 12h).
    #[arg(long, value_name = "SPAN", value_parser = parse_span)]
    losing_touch: Option<i64>,
    /// At most this many, the most interacted with first.
    #[arg(long, value_name = "N", default_value_t = 50)]
    top: u32,
}

/// Arguments of `rapport person`.
#[derive(Debug, clap::Args)]
pub struct PersonArgs {
    /// Their handle (@ann@garden.social) or platform id.
    handle: String,
    /// Only this account's book.
    #[arg(long)]
    account: Option<String>,
}

/// Arguments of `rapport note`.
#[derive(Debug, clap::Args)]
pub struct NoteArgs {
    /// Their handle or platform id.
    handle: String,
    /// The note; an empty one ("") clears it.
    text: String,
    /// The account whose book holds them; needed only when several do.
    #[arg(long)]
    account: Option<String>,
}

/// Arguments of `rapport tag`.
#[derive(Debug, clap::Args)]
pub struct TagArgs {
    /// Their handle or platform id.
    handle: String,
    /// The tag, one word.
    tag: String,
    /// Take the tag off instead.
    #[arg(long)]
    remove: bool,
    /// The account whose book holds them; needed only when several do.
    #[arg(long)]
    account: Option<String>,
}

/// Arguments of `rapport forget`.
#[derive(Debug, clap::Args)]
pub struct ForgetArgs {
    /// Their handle or platform id.
    handle: String,
    /// Only this account's book; every book that holds them when left out.
    #[arg(long)]
    account: Option<String>,
}

/// Lists people.
pub fn people(args: PeopleArgs, cx: &Context) -> anyhow::Result<Exit> {
    let PeopleArgs { account, circle, losing_touch, top } = args;
    let reply = cx.client.call(People { account, circle, losing_touch, top: Some(top) })?;
    cx.print(&reply, |p| people_view(p, now()))?;
    Ok(Exit::Ok)
}

/// Shows one person.
pub fn person(args: PersonArgs, cx: &Context) -> anyhow::Result<Exit> {
    let reply = cx.client.call(Person { account: args.account, who: args.handle })?;
    cx.print(&reply, |p| p.iter().map(|d| person_view(d, now())).collect::<Vec<_>>().join("\n"))?;
    Ok(Exit::Ok)
}

/// Sets a note.
pub fn note(args: NoteArgs, cx: &Context) -> anyhow::Result<Exit> {
    let reply = cx.client.call(PersonNote { account: args.account, who: args.handle, text: args.text })?;
    cx.print(&reply, |p| {
        if p.note.is_empty() {
            format!("Cleared the note about {} ({}).\n", p.label(), p.account)
        } else {
            format!("Noted about {} ({}): {}\n", p.label(), p.account, p.note)
        }
    })?;
    Ok(Exit::Ok)
}

/// Adds or removes a tag.
pub fn tag(args: TagArgs, cx: &Context) -> anyhow::Result<Exit> {
    let TagArgs { handle, tag, remove, account } = args;
    let reply = cx.client.call(PersonTag { account, who: handle, tag, remove })?;
    cx.print(&reply, |p| format!("{} ({}) is tagged: {}\n", p.label(), p.account, tags(p)))?;
    Ok(Exit::Ok)
}

/// Forgets a person.
pub fn forget(args: ForgetArgs, cx: &Context) -> anyhow::Result<Exit> {
    let reply = cx.client.call(Forget { account: args.account, who: args.handle })?;
    cx.print(&reply, |all| all.iter().map(forgotten_view).collect())?;
    Ok(Exit::Ok)
}

/// "Forgot @ann (shop): 12 interactions, the note and the tags."
fn forgotten_view(f: &Forgotten) -> String {
    let who = if f.handle.is_empty() { format!("id {}", f.id) } else { format!("@{}", f.handle) };
    format!(
        "Forgot {who} ({}): {}, the note and the tags.\n",
        f.account,
        many(f.interactions, "interaction", "interactions")
    )
}

/// The tags, or "no tags".
fn tags(p: &PersonSummary) -> String {
    if p.tags.is_empty() { "no tags".into() } else { p.tags.iter().cloned().collect::<Vec<_>>().join(", ") }
}

/// "mutual", "follows you", "you follow", "".
fn standing_word(standing: &Standing) -> &'static str {
    match (standing.they_follow_since.is_some(), standing.we_follow_since.is_some()) {
        (true, true) => "mutual",
        (true, false) => "follows you",
        (false, true) => "you follow",
        (false, false) => "",
    }
}

/// The people as a table.
fn people_view(people: &[PersonSummary], now: UnixSeconds) -> String {
    if people.is_empty() {
        return "Nobody in the book matches.\n".into();
    }
    let rows: Vec<Vec<String>> = people
        .iter()
        .map(|p| {
            vec![
                p.label(),
                p.account.clone(),
                p.interactions.to_string(),
                relative(now, p.last_seen),
                standing_word(&p.standing).to_owned(),
                p.tags.iter().cloned().collect::<Vec<_>>().join(","),
            ]
        })
        .collect();
    let mut out = table(&["PERSON", "ACCOUNT", "INTERACTIONS", "LAST", "STANDING", "TAGS"], &rows);
    let _ = writeln!(out, "{}.", many(people.len(), "person", "people"));
    out
}

/// One person in full.
fn person_view(detail: &PersonDetail, now: UnixSeconds) -> String {
    let p = &detail.person;
    let mut out = String::new();
    let name = if p.display_name.is_empty() { String::new() } else { format!("{} ", p.display_name) };
    let _ = writeln!(out, "{name}{}  ({})", p.label(), p.account);
    if !p.url.is_empty() {
        let _ = writeln!(out, "  {}", p.url);
    }
    let _ = writeln!(out, "  {}", detail.history);
    let mut line = format!(
        "  {} since {} · last {}",
        many(p.interactions as usize, "interaction", "interactions"),
        utc(p.first_seen),
        relative(now, p.last_seen)
    );
    if let Some(n) = p.known_followers {
        let _ = write!(line, " · followed by {n} you follow");
    }
    let _ = writeln!(out, "{line}");
    let _ = writeln!(out, "  tags: {}", tags(p));
    if !p.note.is_empty() {
        let _ = writeln!(out, "  note: {}", p.note);
    }
    let _ = writeln!(out, "Timeline:");
    for i in &detail.timeline {
        let _ = writeln!(out, "  {}  {}", utc(i.at), timeline_line(i));
    }
    out
}

/// "they liked your post" / "you followed back".
fn timeline_line(i: &Interaction) -> String {
    let campaign = i.campaign.as_deref().map(|c| format!(" (campaign {c})")).unwrap_or_default();
    match i.direction {
        Direction::Theirs => format!("they {}", i.kind.verb()),
        Direction::Ours => format!("you {}{campaign}", i.kind.verb()),
    }
}

#[cfg(test)]
mod tests {
    use rapport_core::history::{InteractionKind, InteractionSource};

    use super::*;

    const NOW: i64 = 1_773_144_000;

    fn summary() -> PersonSummary {
        PersonSummary {
            account: "shop".into(),
            id: "7".into(),
            handle: "ann@garden.social".into(),
            display_name: "Ann".into(),
            url: "https://garden.social/@ann".into(),
            interactions: 3,
            first_seen: NOW - 20 * 86_400,
            last_seen: NOW - 2 * 86_400,
            standing: Standing {
                they_follow_since: Some(NOW - 20 * 86_400),
                we_follow_since: Some(NOW - 19 * 86_400),
            },
            tags: ["potter".to_string()].into(),
            note: "met at the fair".into(),
            known_followers: Some(4),
        }
    }

    #[test]
    fn people_list_as_a_table_with_the_standing() {
        let out = people_view(&[summary()], NOW);
        assert!(out.contains("@ann@garden.social"), "{out}");
        assert!(out.contains("mutual"), "{out}");
        assert!(out.contains("potter"), "{out}");
        assert!(out.ends_with("1 person.\n"), "{out}");
        assert_eq!(people_view(&[], NOW), "Nobody in the book matches.\n");
    }

    #[test]
    fn a_person_shows_the_history_line_the_note_and_the_timeline_both_ways() {
        let timeline = vec![
            Interaction {
                at: NOW - 20 * 86_400,
                person: "7".into(),
                handle: "ann@garden.social".into(),
                direction: Direction::Theirs,
                kind: InteractionKind::Followed,
                source: InteractionSource::Notification("n1".into()),
                campaign: None,
            },
            Interaction {
                at: NOW - 19 * 86_400,
                person: "7".into(),
                handle: "ann@garden.social".into(),
                direction: Direction::Ours,
                kind: InteractionKind::FollowedBack,
                source: InteractionSource::Task(rapport_core::task::TaskId(4)),
                campaign: None,
            },
        ];
        let detail = PersonDetail { person: summary(), history: "3rd interaction".into(), timeline };
        let out = person_view(&detail, NOW);
        assert!(out.starts_with("Ann @ann@garden.social  (shop)\n"), "{out}");
        assert!(out.contains("  3rd interaction\n"), "{out}");
        assert!(out.contains("followed by 4 you follow"), "{out}");
        assert!(out.contains("note: met at the fair"), "{out}");
        assert!(out.contains("they followed"), "{out}");
        assert!(out.contains("you followed back"), "{out}");
    }
}
