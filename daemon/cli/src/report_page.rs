//! The engagement report as one self-contained HTML page: inline CSS, inline SVG charts drawn by
//! `charts-rs`, no script, no font or image fetched, nothing a browser loads from a network. Each
//! chart's figure carries the numbers it draws (`data-values`), and the whole report travels in
//! the page as JSON, so a check can hold the picture against `rapport report --json`.

use std::fmt::Write as _;

use charts_rs::{BarChart, LineChart, Series};
use rapport_core::report::{Ratio, Report};

use crate::commands::report::{duration, growth_line, percent};

/// A chart's width and height in the page, in CSS pixels.
const CHART: (f32, f32) = (760.0, 300.0);

/// The page of `reports`, one section per account.
pub fn page(reports: &[Report]) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>rapport: engagement report</title>\n<style>\n",
    );
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<h1>Engagement report</h1>\n");
    for report in reports {
        section(&mut out, report);
    }
    // The report itself, for whoever wants the numbers behind the pictures; data, never run or
    // loaded.
    let json = serde_json::to_string(reports).unwrap_or_else(|_| "[]".into());
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"report-data\">{}</script>\n</body>\n</html>\n",
        // JSON escapes that keep the block inert in HTML and well-formed as XML.
        json.replace('<', "\\u003c").replace('&', "\\u0026")
    );
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;\
max-width:820px;color:#1f2933;background:#fff;line-height:1.45}\
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #e4e7eb;padding-bottom:.3rem}\
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:.8rem;margin:1rem 0}\
.figure{background:#f5f7fa;border-radius:8px;padding:.7rem 1rem}.figure b{display:block;font-size:1.4rem}\
figure{margin:1.5rem 0}figcaption{color:#52606d;font-size:.9rem}\
table{border-collapse:collapse;width:100%;font-size:.92rem}td,th{text-align:left;padding:.35rem .5rem;\
border-bottom:1px solid #e4e7eb}td.n{text-align:right;font-variant-numeric:tabular-nums}\n";

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A rate as a percentage rounded to 0.01, the number its chart draws.
fn pct(rate: Option<Ratio>) -> Option<f32> {
    rate.map(|r| ((r.percent() * 100.0).round() / 100.0) as f32)
}

/// The figure holding `svg`, with the numbers it draws.
fn figure(
    out: &mut String,
    name: &str,
    values: &[Option<f32>],
    svg: charts_rs::Result<String>,
    caption: &str,
) {
    let values = serde_json::to_string(values).unwrap_or_default();
    let svg =
        svg.unwrap_or_else(|e| format!("<p>(this chart could not be drawn: {})</p>", esc(&e.to_string())));
    let _ = writeln!(
        out,
        "<figure data-chart=\"{name}\" data-values=\"{}\">\n{svg}\n<figcaption>{}</figcaption>\n</figure>",
        esc(&values),
        esc(caption)
    );
}

/// One account's section.
fn section(out: &mut String, r: &Report) {
    let zone: chrono_tz::Tz = r.zone.parse().unwrap_or(chrono_tz::UTC);
    let date = |at| rapport_core::localtime::date_label(at, zone);
    let _ = writeln!(
        out,
        "<section data-account=\"{}\">\n<h2>{} ({}), {} to {}</h2>",
        esc(&r.account),
        esc(&r.account),
        esc(&r.platform),
        date(r.since),
        date(r.until)
    );
    let views = r.views.map_or_else(|| "not given".to_owned(), |v| v.to_string());
    let replies = match r.responses.median_secs {
        Some(m) => format!("median {}", duration(m)),
        None => "none sent".to_owned(),
    };
    let _ = writeln!(out, "<div class=\"figures\">");
    for (label, value) in [
        ("Engagement rate", percent(r.engagement_rate)),
        ("Interactions", r.interactions.to_string()),
        ("Posts", r.posts_count.to_string()),
        ("Views (not in the rate)", views),
        ("Followers", r.growth.followers.map_or_else(|| "–".to_owned(), |n| n.to_string())),
        ("Reply time", replies),
    ] {
        let _ = writeln!(out, "<div class=\"figure\">{}<b>{}</b></div>", esc(label), esc(&value));
    }
    let _ = writeln!(out, "</div>\n<p>Followers {}.</p>", esc(&growth_line(&r.growth)));

    let labels: Vec<String> = r.periods.iter().map(|p| p.label.clone()).collect();
    let rates: Vec<Option<f32>> = r.periods.iter().map(|p| pct(p.engagement_rate)).collect();
    let mut chart = BarChart::new(
        vec![Series::new_nullable("Engagement rate (%)".into(), rates.clone())],
        labels.clone(),
    );
    style(&mut chart.base, "Engagement rate");
    figure(
        out,
        "engagement-rate",
        &rates,
        chart.svg(),
        "Interactions ÷ followers at posting, per period; a gap is a period without posts.",
    );

    let followers: Vec<Option<f32>> =
        r.periods.iter().map(|p| p.growth.followers.map(|n| n as f32)).collect();
    let mut chart =
        LineChart::new(vec![Series::new_nullable("Followers".into(), followers.clone())], labels.clone());
    style(&mut chart.base, "Followers");
    figure(
        out,
        "followers",
        &followers,
        chart.svg(),
        "Followers at the end of each period, from the daily snapshots.",
    );

    let new: Vec<Option<f32>> = r.periods.iter().map(|p| Some(p.growth.new_followers as f32)).collect();
    let lost: Vec<Option<f32>> = r.periods.iter().map(|p| Some(p.growth.lost as f32)).collect();
    let mut chart = BarChart::new(
        vec![
            Series::new_nullable("New followers".into(), new.clone()),
            Series::new_nullable("Lost".into(), lost),
        ],
        labels,
    );
    style(&mut chart.base, "Follower growth");
    figure(
        out,
        "new-followers",
        &new,
        chart.svg(),
        "Follow notifications, and followers lost between snapshots.",
    );

    if !r.actions.is_empty() {
        let kinds: Vec<String> = r.actions.iter().map(|a| a.kind.as_str().to_owned()).collect();
        let done: Vec<Option<f32>> = r.actions.iter().map(|a| Some(a.done as f32)).collect();
        let budget: Vec<Option<f32>> = r.actions.iter().map(|a| a.budget.map(|b| b as f32)).collect();
        let mut chart = BarChart::new(
            vec![
                Series::new_nullable("Done".into(), done.clone()),
                Series::new_nullable("Budget".into(), budget),
            ],
            kinds,
        );
        style(&mut chart.base, "Actions against the daily budgets");
        figure(
            out,
            "actions",
            &done,
            chart.svg(),
            "Actions done in the window, and the sum of their daily budgets.",
        );
    }

    let _ = writeln!(out, "<h3>Follow-back of rapport's follows</h3>\n<table>");
    for f in &r.follow_back {
        let who = f.campaign.as_deref().map_or_else(|| "all follows".to_owned(), |c| format!("campaign {c}"));
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{} of {}</td><td class=\"n\">{}</td></tr>",
            esc(&who),
            f.followed_back,
            f.followed,
            percent(Ratio::of(f.followed_back, f.followed))
        );
    }
    let mix = &r.mix;
    let _ = writeln!(
        out,
        "</table>\n<h3>What was posted</h3>\n<p>{} value, {} sales, {} posted elsewhere.</p>",
        mix.value, mix.sales, mix.elsewhere
    );

    let _ = writeln!(
        out,
        "<h3>Top posts</h3>\n<table>\n<tr><th>rate</th><th>interactions</th><th>posted</th><th>text</th></tr>"
    );
    for p in r.posts.iter().take(10) {
        let _ = writeln!(
            out,
            "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            percent(p.engagement_rate),
            p.interactions,
            date(p.posted_at),
            esc(&crate::view::excerpt(&p.text, 90))
        );
    }
    let _ = writeln!(out, "</table>\n<h3>Who engaged most</h3>\n<table>");
    for e in &r.top_engagers {
        let who = if e.handle.is_empty() { format!("id {}", e.person) } else { format!("@{}", e.handle) };
        let _ = writeln!(out, "<tr><td>{}</td><td class=\"n\">{}</td></tr>", esc(&who), e.interactions);
    }
    let _ = writeln!(out, "</table>\n</section>");
}

/// The look every chart shares.
fn style(base: &mut charts_rs::ChartBase, title: &str) {
    base.width = CHART.0;
    base.height = CHART.1;
    base.title.text = title.to_owned();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::sample;

    #[test]
    fn the_page_is_well_formed_self_contained_and_its_charts_hold_the_reports_numbers() {
        let report = sample::report();
        let html = page(std::slice::from_ref(&report));
        let options = roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() };
        let doc = roxmltree::Document::parse_with_options(&html, options)
            .unwrap_or_else(|e| panic!("not well-formed: {e}"));
        // Nothing is fetched: outside the inert JSON data (which keeps the posts' links, as
        // `--json` does), the only URL is the SVG namespace, which names, never loads.
        let markup = &html[..html.find("<script type=\"application/json\"").unwrap()];
        let mut rest = markup;
        while let Some(at) = rest.find("http") {
            assert!(rest[at..].starts_with("http://www.w3.org/"), "an external URL: {}", &rest[at..at + 60]);
            rest = &rest[at + 4..];
        }
        for attr in ["src=", "href=", "@import", "url("] {
            assert!(!markup.contains(attr), "the page loads something: {attr}");
        }
        let figures: Vec<_> = doc.descendants().filter(|n| n.has_attribute("data-chart")).collect();
        let names: Vec<&str> = figures.iter().filter_map(|f| f.attribute("data-chart")).collect();
        assert_eq!(names, ["engagement-rate", "followers", "new-followers", "actions"]);
        for figure in &figures {
            assert!(
                figure.descendants().any(|n| n.tag_name().name() == "svg"),
                "{:?} has its chart",
                figure.attribute("data-chart")
            );
        }
        let values = |name: &str| -> Vec<Option<f64>> {
            let figure = figures.iter().find(|f| f.attribute("data-chart") == Some(name)).unwrap();
            serde_json::from_str(figure.attribute("data-values").unwrap()).unwrap()
        };
        let rates: Vec<Option<f64>> = report
            .periods
            .iter()
            .map(|p| p.engagement_rate.map(|r| (r.percent() * 100.0).round() / 100.0))
            .collect();
        let drawn = values("engagement-rate");
        assert_eq!(drawn.len(), rates.len());
        for (drawn, rate) in drawn.iter().zip(&rates) {
            match (drawn, rate) {
                (Some(d), Some(r)) => assert!((d - r).abs() < 1e-4, "{d} vs {r}"),
                (d, r) => assert_eq!(d.is_some(), r.is_some()),
            }
        }
        assert!(rates.contains(&None), "the sample has a week without posts");
        let followers: Vec<Option<f64>> =
            report.periods.iter().map(|p| p.growth.followers.map(|n| n as f64)).collect();
        assert_eq!(values("followers"), followers);
        // The report itself is in the page, the same as `--json` prints it.
        let data = doc.descendants().find(|n| n.attribute("id") == Some("report-data")).unwrap();
        let embedded: Vec<Report> = serde_json::from_str(data.text().unwrap()).unwrap();
        assert_eq!(embedded, [report]);
    }

    /// How many pixels of `png` are the charts' blue (the engagement bars, the followers line and
    /// the action bars), read from its decoding.
    fn chart_blue_pixels(png: &[u8]) -> usize {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = info.color_type.samples();
        buf[..info.buffer_size()]
            .chunks_exact(channels)
            .filter(|p| {
                let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
                b > 150 && b - r > 60 && b - g > 40
            })
            .count()
    }

    #[test]
    fn headless_chromium_draws_the_charts() {
        let dir = tempfile::tempdir().unwrap();
        let html = dir.path().join("report.html");
        let shot = dir.path().join("report.png");
        std::fs::write(&html, page(&[sample::report()])).unwrap();
        let ran = std::process::Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=900,2400",
            ])
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", html.display()))
            .output();
        let out = ran.unwrap_or_else(|e| {
            panic!("headless chromium did not run ({e}); install Debian's `chromium` (`.ci/run` does)")
        });
        assert!(shot.exists(), "chromium wrote no screenshot: {}", String::from_utf8_lossy(&out.stderr));
        let blue = chart_blue_pixels(&std::fs::read(&shot).unwrap());
        // The sample's bars alone cover tens of thousands of pixels; a page whose SVG did not
        // draw has none of that blue.
        assert!(blue > 20_000, "only {blue} pixels of the charts' blue: the charts were not drawn");
    }
}
