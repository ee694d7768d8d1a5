//! `rapport campaign …`: the follow campaigns, their goals and tasks; pause and resume them.

use std::fmt::Write as _;

use clap::Subcommand;
use rapport_core::UnixSeconds;
use rapport_protocol::requests::{CampaignList, CampaignShow, SetCampaignPaused};
use rapport_protocol::{CampaignDetail, CampaignReport};

use super::{Context, now};
use crate::Exit;
use crate::view::{counts, relative, table};

/// Campaign commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every campaign: account, sources, goal, paused or not, its tasks.
    List,
    /// One campaign in full, with its proposed follows.
    Show {
        /// The campaign's name in config.
        name: String,
    },
    /// Stop a campaign proposing anyone until it is resumed (its proposed tasks stay queued).
    Pause {
        /// The campaign's name in config.
        name: String,
    },
    /// Let a paused campaign propose again.
    Resume {
        /// The campaign's name in config.
        name: String,
    },
}

/// Runs one campaign command.
pub fn run(command: Command, cx: &Context) -> anyhow::Result<Exit> {
    match command {
        Command::List => cx.print(&cx.client.call(CampaignList {})?, |c| list(c))?,
        Command::Show { name } => cx.print(&cx.client.call(CampaignShow { name })?, |c| show(c, now()))?,
        Command::Pause { name } => {
            cx.print(&cx.client.call(SetCampaignPaused { name, paused: true })?, changed)?;
        }
        Command::Resume { name } => {
            cx.print(&cx.client.call(SetCampaignPaused { name, paused: false })?, changed)?;
        }
    }
    Ok(Exit::Ok)
}

/// "20 a week (3 a day)".
fn goal(campaign: &CampaignReport) -> String {
    format!("{} a week ({} a day)", campaign.weekly_goal, campaign.daily_share)
}

/// "paused" or "active".
fn standing(campaign: &CampaignReport) -> &'static str {
    if campaign.paused { "paused" } else { "active" }
}

/// The campaigns as a table.
fn list(campaigns: &[CampaignReport]) -> String {
    if campaigns.is_empty() {
        return "No campaigns: add a [[campaigns]] section to the configuration.\n".into();
    }
    let rows: Vec<Vec<String>> = campaigns
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.account.clone(),
                c.sources.join(", "),
                goal(c),
                standing(c).into(),
                followed_back(c),
                counts(&c.tasks),
            ]
        })
        .collect();
    table(&["NAME", "ACCOUNT", "SOURCES", "FOLLOWS", "STATE", "FOLLOWED BACK", "TASKS"], &rows)
}

/// "3 of 10 (30%)": of the follows that went out, how many followed back.
fn followed_back(c: &CampaignReport) -> String {
    match c.followed {
        0 => "none followed yet".into(),
        n => format!("{} of {n} ({}%)", c.followed_back, u64::from(c.followed_back) * 100 / u64::from(n)),
    }
}

/// One campaign, then its proposed follows.
fn show(detail: &CampaignDetail, now: UnixSeconds) -> String {
    let c = &detail.campaign;
    let mut out = String::new();
    let _ = writeln!(out, "Campaign {}  {}  ({})", c.name, standing(c), c.account);
    let _ = writeln!(out, "  sources: {}", c.sources.join(", "));
    let _ = writeln!(out, "  follows: {}", goal(c));
    let pass = c.last_pass.map_or_else(|| "never".into(), |at| relative(now, at));
    let _ = writeln!(out, "  last pass: {pass}");
    let _ = writeln!(out, "  tasks: {}", counts(&c.tasks));
    let _ = writeln!(out, "  followed back: {}", followed_back(c));
    if c.paused {
        let _ = writeln!(out, "  paused: it proposes no one until `rapport campaign resume {}`", c.name);
    }
    if detail.proposed.is_empty() {
        return out;
    }
    let _ = writeln!(out, "Proposed (`rapport show ID` for one in full):");
    let rows: Vec<Vec<String>> = detail
        .proposed
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                p.who.clone(),
                p.score.map_or_else(|| "-".into(), |s| s.to_string()),
                p.source.clone(),
                p.reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    for line in table(&["ID", "WHO", "SCORE", "SOURCE", "WHY"], &rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// What a pause or a resume did.
fn changed(c: &CampaignReport) -> String {
    if c.paused {
        format!(
            "Campaign {} is paused: it proposes no one until `rapport campaign resume {}`; tasks it proposed stay in the queue.\n",
            c.name, c.name
        )
    } else {
        format!("Campaign {} is active: it proposes up to {} follows a day.\n", c.name, c.daily_share)
    }
}

#[cfg(test)]
mod tests {
    use rapport_core::task::{TaskId, TaskState};
    use rapport_protocol::{ProposedFollow, StateCount};

    use super::*;
    use crate::commands::sample::NOW;

    fn potters() -> CampaignReport {
        CampaignReport {
            name: "potters".into(),
            account: "shop".into(),
            sources: vec!["#pottery".into(), "search:wheel throwing".into()],
            weekly_goal: 20,
            daily_share: 3,
            paused: false,
            last_pass: Some(NOW - 7_200),
            tasks: vec![
                StateCount { state: TaskState::Proposed, count: 2 },
                StateCount { state: TaskState::Done, count: 5 },
            ],
            followed: 5,
            followed_back: 2,
        }
    }

    #[test]
    fn the_campaign_list_shows_goal_state_and_tasks() {
        let mut paused = potters();
        (paused.name, paused.paused, paused.tasks, paused.followed) = ("bakers".into(), true, Vec::new(), 0);
        paused.sources = vec!["suggestions".into()];
        let out = list(&[potters(), paused]);
        assert_eq!(
            out,
            "\
NAME     ACCOUNT  SOURCES                          FOLLOWS              STATE   FOLLOWED BACK      TASKS
potters  shop     #pottery, search:wheel throwing  20 a week (3 a day)  active  2 of 5 (40%)       2 proposed · 5 done
bakers   shop     suggestions                      20 a week (3 a day)  paused  none followed yet  no tasks yet
"
        );
        assert_eq!(list(&[]), "No campaigns: add a [[campaigns]] section to the configuration.\n");
    }

    #[test]
    fn a_campaign_in_full_lists_its_proposed_follows() {
        let detail = CampaignDetail {
            campaign: potters(),
            proposed: vec![
                ProposedFollow {
                    id: TaskId(41),
                    who: "@ann@garden.social".into(),
                    source: "#pottery".into(),
                    score: Some(74),
                    reason: Some("posted about pottery 2h ago: +10".into()),
                },
                ProposedFollow {
                    id: TaskId(42),
                    who: "110".into(),
                    source: "search:wheel throwing".into(),
                    score: None,
                    reason: None,
                },
            ],
        };
        let expected = "\
Campaign potters  active  (shop)
  sources: #pottery, search:wheel throwing
  follows: 20 a week (3 a day)
  last pass: 2h ago
  tasks: 2 proposed · 5 done
  followed back: 2 of 5 (40%)
Proposed (`rapport show ID` for one in full):
  ID  WHO                 SCORE  SOURCE                 WHY
  41  @ann@garden.social  74     #pottery               posted about pottery 2h ago: +10
  42  110                 -      search:wheel throwing
";
        assert_eq!(show(&detail, NOW), expected);
    }

    #[test]
    fn pausing_says_how_to_resume() {
        let mut c = potters();
        assert_eq!(changed(&c), "Campaign potters is active: it proposes up to 3 follows a day.\n");
        c.paused = true;
        assert_eq!(
            changed(&c),
            "Campaign potters is paused: it proposes no one until `rapport campaign resume potters`; tasks it proposed stay in the queue.\n"
        );
        let out = show(&CampaignDetail { campaign: c, proposed: Vec::new() }, NOW);
        assert!(out.starts_with("Campaign potters  paused  (shop)\n"), "{out}");
        assert!(
            out.ends_with("  paused: it proposes no one until `rapport campaign resume potters`\n"),
            "{out}"
        );
    }
}
