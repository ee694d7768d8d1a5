//! `rapport circle …`: the circles of people engaged with daily, their doses and tasks.

use std::fmt::Write as _;

use clap::Subcommand;
use rapport_protocol::CircleReport;
use rapport_protocol::requests::{CircleList, CircleShow, SetCircleMember};

use super::Context;
use crate::Exit;
use crate::view::{counts, many, table};

/// Circle commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every circle: account, members, daily doses, time of day, its tasks.
    List,
    /// One circle in full, with its members.
    Show {
        /// The circle's name in config.
        name: String,
    },
    /// Add someone to a circle (kept across restarts, beside the configured members).
    Add {
        /// The circle's name in config.
        name: String,
        /// The person: a handle or a platform id.
        member: String,
    },
    /// Take someone out of a circle (a configured member too).
    Remove {
        /// The circle's name in config.
        name: String,
        /// The person, as listed by `rapport circle show`.
        member: String,
    },
}

/// Runs one circle command.
pub fn run(command: Command, cx: &Context) -> anyhow::Result<Exit> {
    match command {
        Command::List => cx.print(&cx.client.call(CircleList {})?, |c| list(c))?,
        Command::Show { name } => cx.print(&cx.client.call(CircleShow { name })?, show)?,
        Command::Add { name, member } => {
            cx.print(&cx.client.call(SetCircleMember { name, member, add: true })?, show)?;
        }
        Command::Remove { name, member } => {
            cx.print(&cx.client.call(SetCircleMember { name, member, add: false })?, show)?;
        }
    }
    Ok(Exit::Ok)
}

/// "5 likes, 2 reposts, 2 comment drafts".
fn doses(circle: &CircleReport) -> String {
    let dose = |n: u32, one, several| many(usize::try_from(n).unwrap_or(usize::MAX), one, several);
    format!(
        "{}, {}, {}",
        dose(circle.likes, "like", "likes"),
        dose(circle.reposts, "repost", "reposts"),
        dose(circle.replies, "comment draft", "comment drafts")
    )
}

/// "09:00 Europe/London".
fn when(circle: &CircleReport) -> String {
    format!("{} {}", circle.at, circle.timezone)
}

/// The circles as a table.
fn list(circles: &[CircleReport]) -> String {
    if circles.is_empty() {
        return "No circles: add a [[circles]] section to the configuration.\n".into();
    }
    let rows: Vec<Vec<String>> = circles
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.account.clone(),
                many(c.members.len(), "person", "people"),
                doses(c),
                when(c),
                counts(&c.tasks),
            ]
        })
        .collect();
    table(&["NAME", "ACCOUNT", "MEMBERS", "A DAY", "AT", "TASKS"], &rows)
}

/// One circle in full.
fn show(c: &CircleReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Circle {}  ({})", c.name, c.account);
    let _ = writeln!(out, "  members: {}", c.members.join(", "));
    let _ = writeln!(out, "  each day at {}: up to {}", when(c), doses(c));
    let _ = writeln!(out, "  last proposed for: {}", c.last_day.as_deref().unwrap_or("never"));
    let _ = writeln!(out, "  tasks: {}", counts(&c.tasks));
    out
}

#[cfg(test)]
mod tests {
    use rapport_core::task::TaskState;
    use rapport_protocol::StateCount;

    use super::*;

    fn makers() -> CircleReport {
        CircleReport {
            name: "makers".into(),
            account: "shop".into(),
            members: vec!["ann@garden.social".into(), "110".into()],
            likes: 5,
            reposts: 2,
            replies: 1,
            at: "09:00".into(),
            timezone: "Europe/London".into(),
            last_day: Some("2023-11-14".into()),
            tasks: vec![
                StateCount { state: TaskState::Proposed, count: 3 },
                StateCount { state: TaskState::Rejected, count: 1 },
            ],
        }
    }

    #[test]
    fn the_circle_list_shows_members_doses_and_time() {
        let mut quiet = makers();
        (quiet.name, quiet.members, quiet.tasks, quiet.timezone) =
            ("family".into(), vec!["mum".into()], Vec::new(), "UTC".into());
        let expected = "\
NAME    ACCOUNT  MEMBERS   A DAY                                AT                   TASKS
makers  shop     2 people  5 likes, 2 reposts, 1 comment draft  09:00 Europe/London  3 proposed · 1 rejected
family  shop     1 person  5 likes, 2 reposts, 1 comment draft  09:00 UTC            no tasks yet
";
        assert_eq!(list(&[makers(), quiet]), expected);
        assert_eq!(list(&[]), "No circles: add a [[circles]] section to the configuration.\n");
    }

    #[test]
    fn a_circle_in_full_names_its_members() {
        let expected = "\
Circle makers  (shop)
  members: ann@garden.social, 110
  each day at 09:00 Europe/London: up to 5 likes, 2 reposts, 1 comment draft
  last proposed for: 2023-11-14
  tasks: 3 proposed · 1 rejected
";
        assert_eq!(show(&makers()), expected);
    }
}
