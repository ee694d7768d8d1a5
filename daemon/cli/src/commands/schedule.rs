//! `rapport schedule`: the coming slots in their local time, then the slots missed while rapportd
//! was down.

use std::fmt::Write as _;

use rapport_core::UnixSeconds;
use rapport_protocol::requests::Schedule;
use rapport_protocol::{ScheduleAnswer, ScheduleReport, Slot, SlotVerdict};

use super::{Context, now};
use crate::Exit;
use crate::view::{local, local_from, post_kind, relative, table, with_notes};

/// Arguments of `rapport schedule`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many slots (one schedule time for one account is one slot).
    #[arg(long, default_value_t = 10)]
    count: u32,
}

/// Prints the schedule.
pub fn run(Args { count }: Args, cx: &Context) -> anyhow::Result<Exit> {
    match cx.client.call(Schedule { count, report: true })? {
        ScheduleAnswer::Report(report) => cx.print(&report, view)?,
        // A daemon from before the report answers with the slots alone.
        ScheduleAnswer::Slots(slots) => cx.print(&slots, |s| self::slots(s, now()))?,
    }
    Ok(Exit::Ok)
}

/// What the gate would say of a slot, in a few words; the reason follows on its own line.
fn verdict(slot: &Slot) -> String {
    match slot.verdict {
        Some(SlotVerdict::Post) => "post".into(),
        Some(SlotVerdict::Held) => match slot.until {
            Some(until) => format!("held until {}", local_from(until, slot.at, &slot.timezone)),
            None => "held until more value posts".into(),
        },
        Some(SlotVerdict::Skipped) => "held: the slot posts nothing".into(),
        Some(SlotVerdict::Nothing) => "nothing to post".into(),
        // An older daemon does not say.
        None => String::new(),
    }
}

/// Upcoming schedule slots, each in its schedule's local time, with the entry it takes and what
/// the gate would say; a hold's reason follows its row.
fn slots(slots: &[Slot], now: UnixSeconds) -> String {
    if slots.is_empty() {
        return "No scheduled slots.\n".into();
    }
    let rows: Vec<Vec<String>> = slots
        .iter()
        .map(|s| {
            vec![
                local(s.at, &s.timezone),
                relative(now, s.at),
                s.schedule.clone(),
                s.account.clone(),
                s.entry.clone().unwrap_or_else(|| "-".into()),
                s.kind.map_or("-", post_kind).to_string(),
                verdict(s),
            ]
        })
        .collect();
    let notes: Vec<Option<String>> = slots.iter().map(|s| s.note.clone()).collect();
    with_notes(&table(&["WHEN", "", "SCHEDULE", "ACCOUNT", "ENTRY", "KIND", "GATE"], &rows), &notes)
}

/// `rapport schedule`: the coming slots, then the slots missed while rapportd was down.
fn view(report: &ScheduleReport) -> String {
    let mut out = slots(&report.slots, report.now);
    if report.missed.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nMissed while rapportd was down (nothing was posted for them):");
    let rows: Vec<Vec<String>> = report
        .missed
        .iter()
        .map(|m| {
            vec![
                local(m.at, &m.timezone),
                relative(report.now, m.at),
                m.schedule.clone(),
                m.accounts.join(", "),
            ]
        })
        .collect();
    for line in table(&["WHEN", "", "SCHEDULE", "ACCOUNTS"], &rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
    if report.missed_earlier {
        let _ = writeln!(out, "  (earlier missed slots are no longer listed)");
    }
    out
}

#[cfg(test)]
mod tests {
    use rapport_core::task::PostKind;
    use rapport_protocol::MissedSlot;

    use super::*;

    const NOW: UnixSeconds = 1_700_000_000;

    fn slot(at: UnixSeconds, entry: &str, kind: PostKind, verdict: SlotVerdict) -> Slot {
        Slot {
            schedule: if kind == PostKind::Sales { "saturday-offer" } else { "weekday-tips" }.into(),
            account: "kiln".into(),
            at,
            entry: Some(entry.into()),
            kind: Some(kind),
            note: None,
            timezone: "Europe/London".into(),
            verdict: Some(verdict),
            until: None,
        }
    }

    #[test]
    fn schedule_slots_show_local_time_the_entry_and_the_gate() {
        // NOW is Tue 14 Nov 2023 22:13 UTC; London is on GMT in November, Berlin on CET.
        let monday_9 = 1_700_470_800; // Mon 20 Nov 2023 09:00 GMT
        let tip = slot(monday_9, "glaze-tip", PostKind::Value, SlotVerdict::Post);
        let mut offer =
            slot(monday_9 - 2 * 86_400 + 5_400, "seconds-sale", PostKind::Sales, SlotVerdict::Skipped);
        offer.note =
            Some("sales post needs 7 more value posts first (3 of 10 since the last sales post)".into());
        let mut held = slot(monday_9 + 86_400, "wedging-tip", PostKind::Value, SlotVerdict::Held);
        held.until = Some(monday_9 + 86_400 + 7_200);
        held.note = Some("publish budget of kiln used 1/1 in the last day; next at 11:00 GMT".into());
        held.timezone = "Europe/Berlin".into();
        let mut nothing = slot(monday_9 + 2 * 86_400, "", PostKind::Value, SlotVerdict::Nothing);
        (nothing.entry, nothing.kind) = (None, None);
        nothing.note = Some("no library entry left for kiln".into());
        let report = ScheduleReport {
            now: NOW,
            slots: vec![offer, tip, held, nothing],
            missed: vec![MissedSlot {
                schedule: "weekday-tips".into(),
                accounts: vec!["kiln".into()],
                at: NOW - 86_400 + 3_000,
                timezone: "Europe/London".into(),
            }],
            missed_earlier: false,
        };
        let expected = "\
WHEN                         SCHEDULE        ACCOUNT  ENTRY         KIND   GATE
Sat 18 Nov 10:30 GMT  in 3d  saturday-offer  kiln     seconds-sale  sales  held: the slot posts nothing
    sales post needs 7 more value posts first (3 of 10 since the last sales post)
Mon 20 Nov 09:00 GMT  in 5d  weekday-tips    kiln     glaze-tip     value  post
Tue 21 Nov 10:00 CET  in 6d  weekday-tips    kiln     wedging-tip   value  held until 12:00 CET
    publish budget of kiln used 1/1 in the last day; next at 11:00 GMT
Wed 22 Nov 09:00 GMT  in 7d  weekday-tips    kiln     -             -      nothing to post
    no library entry left for kiln

Missed while rapportd was down (nothing was posted for them):
  WHEN                           SCHEDULE      ACCOUNTS
  Mon 13 Nov 23:03 GMT  23h ago  weekday-tips  kiln
";
        assert_eq!(view(&report), expected);
        // An older daemon sends no zone or verdict: UTC, and the note as before.
        let mut old = slot(monday_9, "glaze-tip", PostKind::Value, SlotVerdict::Post);
        (old.timezone, old.verdict) = (String::new(), None);
        assert!(slots(&[old], NOW).contains("2023-11-20 09:00 UTC  in 5d  weekday-tips"));
        assert_eq!(local(monday_9, "Mars/Olympus"), "2023-11-20 09:00 UTC");
    }
}
