//! `rapport report`: the engagement report of each account, in the terminal (Unicode charts that
//! fit 80 columns, colour only on a terminal), as JSON, or as a self-contained HTML page.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use rapport_core::report::{Growth, Period, Ratio, Report};
use rapport_protocol::requests;

use super::Context;
use crate::Exit;
use crate::chart::{Paint, bar, sparkline};
use crate::duration::parse_span;
use crate::view::{excerpt, many};

/// Arguments of `rapport report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this account.
    #[arg(long)]
    account: Option<String>,
    /// How far back (30d, 8w, 12h).
    #[arg(long, value_name = "SPAN", default_value = "30d", value_parser = parse_span)]
    since: i64,
    /// Periods of a day or a week.
    #[arg(long, value_enum, default_value_t = By::Week)]
    by: By,
    /// Also write the report as one self-contained HTML page with charts.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

/// `--by`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum By {
    /// Local days.
    Day,
    /// Local weeks, Monday to Sunday.
    Week,
}

/// Fetches and prints the reports, and writes the page.
pub fn run(args: Args, cx: &Context) -> anyhow::Result<Exit> {
    let by = match args.by {
        By::Day => Period::Day,
        By::Week => Period::Week,
    };
    let reports = cx.client.call(requests::Report { account: args.account, since: args.since, by })?;
    if let Some(path) = &args.html {
        std::fs::write(path, crate::report_page::page(&reports))
            .with_context(|| format!("cannot write the HTML report to {}", path.display()))?;
    }
    let paint = Paint::for_stdout();
    cx.print(&reports, |r| r.iter().map(|one| view(one, paint)).collect::<Vec<_>>().join("\n"))?;
    if let Some(path) = &args.html
        && !cx.json
    {
        println!("\nThe HTML report is in {} (open it in a browser).", path.display());
    }
    Ok(Exit::Ok)
}

/// The widest a line gets.
const WIDTH: usize = 80;
/// The bars' width in the period charts.
const BAR: usize = 36;

/// A rate as "3.2 %", or what stands for none.
pub fn percent(rate: Option<Ratio>) -> String {
    rate.map_or_else(|| "–".to_owned(), |r| format!("{:.1} %", r.percent()))
}

/// Seconds as "45s", "20m", "3h 5m", "2d 4h".
pub fn duration(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3_600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h {}m", s / 3_600, s % 3_600 / 60),
        s => format!("{}d {}h", s / 86_400, s % 86_400 / 3_600),
    }
}

/// "+12: 15 gained, 3 lost; 9 follow notifications".
pub fn growth_line(g: &Growth) -> String {
    let followers = g.followers.map_or_else(|| "not known yet".to_owned(), |n| n.to_string());
    format!(
        "{followers} (net {:+}: {} gained, {} lost; {})",
        g.net,
        g.gained,
        g.lost,
        many(g.new_followers as usize, "follow notification", "follow notifications")
    )
}

/// One account's report for the terminal.
pub fn view(r: &Report, paint: Paint) -> String {
    let mut out = String::new();
    let period = match r.by {
        Period::Day => "day",
        Period::Week => "week",
    };
    let since = rapport_core::localtime::date_label(r.since, zone(r));
    let until = rapport_core::localtime::date_label(r.until, zone(r));
    let _ = writeln!(
        out,
        "{}",
        paint.bold(&format!("Engagement of {} ({}), {since} to {until}", r.account, r.platform))
    );
    let _ = writeln!(
        out,
        "Engagement rate {}: {} on {} ÷ their followers at posting",
        paint.bold(&percent(r.engagement_rate)),
        many(r.interactions as usize, "interaction", "interactions"),
        many(r.posts_count as usize, "post", "posts"),
    );
    let views = r.views.map_or_else(|| "the platform gives none".to_owned(), |v| v.to_string());
    let _ = writeln!(out, "Views (not in the rate): {views}");
    let _ = writeln!(out, "Followers {}", growth_line(&r.growth));

    let _ = writeln!(out, "\n{}", paint.bold(&format!("Engagement rate by {period}")));
    let max = r.periods.iter().filter_map(|p| p.engagement_rate).map(Ratio::percent).fold(0.0, f64::max);
    for p in &r.periods {
        let line = match p.engagement_rate {
            Some(rate) => format!(
                "{} {:>7}  {}",
                paint.green(&bar(rate.percent(), max, BAR)),
                percent(Some(rate)),
                many(p.posts as usize, "post", "posts")
            ),
            None => format!("{} {:>7}  {}", " ".repeat(BAR), "–", paint.dim("no posts")),
        };
        let _ = writeln!(out, "  {}  {line}", p.label);
    }

    let _ = writeln!(out, "\n{}", paint.bold(&format!("Followers by {period}")));
    let followers: Vec<Option<f64>> =
        r.periods.iter().map(|p| p.growth.followers.map(|n| n as f64)).collect();
    let last = r.growth.followers.map_or_else(|| "not known yet".to_owned(), |n| n.to_string());
    let _ = writeln!(out, "  {}  {last}", paint.green(&sparkline(&followers)));
    let max_new = r.periods.iter().map(|p| p.growth.new_followers).max().unwrap_or(0) as f64;
    for p in &r.periods {
        let g = &p.growth;
        let _ = writeln!(
            out,
            "  {}  {} {:>3} new  {:+} net",
            p.label,
            paint.green(&bar(g.new_followers as f64, max_new, BAR)),
            g.new_followers,
            g.net
        );
    }

    let _ = writeln!(out, "\n{}", paint.bold("Follow-back of rapport's follows"));
    for f in &r.follow_back {
        let who = f.campaign.as_deref().map_or_else(|| "all follows".to_owned(), |c| format!("campaign {c}"));
        let rate = percent(Ratio::of(f.followed_back, f.followed));
        let _ = writeln!(out, "  {who}: {} of {} followed back ({rate})", f.followed_back, f.followed);
    }

    let _ = writeln!(out, "\n{}", paint.bold("Replies"));
    let resp = &r.responses;
    match (resp.median_secs, resp.p90_secs) {
        (Some(median), Some(p90)) => {
            let _ = writeln!(
                out,
                "  {} sent; response time median {}, p90 {}",
                resp.replies,
                duration(median),
                duration(p90)
            );
        }
        _ => {
            let _ = writeln!(out, "  none sent in the window");
        }
    }

    let _ = writeln!(out, "\n{}", paint.bold("What was posted"));
    let mix = &r.mix;
    let _ = writeln!(out, "  {} value, {} sales, {} posted elsewhere", mix.value, mix.sales, mix.elsewhere);

    let _ = writeln!(out, "\n{}", paint.bold("Actions against the daily budgets"));
    if r.actions.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for a in &r.actions {
        let budget = a.budget.map_or_else(|| "no daily budget".to_owned(), |b| format!("of {b} allowed"));
        let max = a.budget.unwrap_or(a.done).max(a.done) as f64;
        let _ = writeln!(
            out,
            "  {:<22} {} {:>4}  {budget}",
            a.kind.as_str(),
            paint.green(&bar(f64::from(a.done), max, 20)),
            a.done
        );
    }

    let _ = writeln!(out, "\n{}", paint.bold("Top posts"));
    if r.posts.is_empty() {
        let _ = writeln!(out, "  none in the window");
    }
    for p in r.posts.iter().take(5) {
        let date = rapport_core::localtime::date_label(p.posted_at, zone(r));
        let head =
            format!("  {:>7}  {:>4} interactions  {date}  ", percent(p.engagement_rate), p.interactions);
        let room = WIDTH.saturating_sub(head.chars().count() + 2);
        let _ = writeln!(out, "{head}\"{}\"", excerpt(&p.text, room));
    }

    let _ = writeln!(out, "\n{}", paint.bold("Who engaged most"));
    if r.top_engagers.is_empty() {
        let _ = writeln!(out, "  nobody yet");
    }
    for e in &r.top_engagers {
        let who = if e.handle.is_empty() { format!("id {}", e.person) } else { format!("@{}", e.handle) };
        let _ = writeln!(out, "  {:>4}  {}", e.interactions, excerpt(&who, WIDTH - 8));
    }
    out
}

/// The report's zone, UTC if it does not parse (a newer daemon's name).
fn zone(r: &Report) -> chrono_tz::Tz {
    r.zone.parse().unwrap_or(chrono_tz::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::sample;

    #[test]
    fn the_terminal_report_fits_80_columns_and_is_plain_when_not_a_terminal() {
        let out = view(&sample::report(), Paint(false));
        for line in out.lines() {
            assert!(line.chars().count() <= WIDTH, "{} columns: {line}", line.chars().count());
        }
        assert!(!out.contains('\x1b'), "no escape codes when piped");
        assert!(out.contains("Engagement rate by week"), "{out}");
        assert!(out.contains("no posts"), "the week without posts says so: {out}");
        assert!(out.contains("campaign potters"), "{out}");
        assert!(out.contains("response time median 40m"), "{out}");
        let coloured = view(&sample::report(), Paint(true));
        assert!(coloured.contains("\x1b[32m"), "bars are green on a terminal");
    }

    #[test]
    fn durations_and_rates_read_like_people_write_them() {
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(2_400), "40m");
        assert_eq!(duration(3 * 3_600 + 300), "3h 5m");
        assert_eq!(duration(2 * 86_400 + 4 * 3_600), "2d 4h");
        assert_eq!(percent(Ratio::of(1, 8)), "12.5 %");
        assert_eq!(percent(None), "–");
    }
}
