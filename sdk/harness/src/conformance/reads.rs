//! The suite's checks of contract 0.2's read calls: discovery, a person's recent posts, the
//! account's own posts, bulk relationships and the acting account.
//!
//! Each read the plugin declares in its description must come with a [`ReadScript`]; the suite
//! then checks that its pages reach their end with exactly the scripted ids, that an empty page
//! is an empty end, and that a malformed page is `permanent`, a 429 `rate-limited` with the
//! server's wait (recorded by the host), a 404 `permanent`, a 5xx and a network failure
//! `transient` — never a trap. Every read it does not declare must be refused with `denied`
//! before a single request.

use std::collections::HashSet;

use rapport_core::platform::PluginError;
use rapport_core::reads::{DiscoverySource, ReadKind};

use super::{ErrorCase, ErrorProbe, PlatformScript, Report, Step, ensure, fresh, sorted, unused};
use crate::{Exchange, Harness, HarnessBuilder, HarnessError, TransportError};

/// A 0.2 read call with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadCall {
    /// `discover(source, cursor)`.
    Discover(DiscoverySource),
    /// `recent-posts(id, cursor)`.
    RecentPosts(String),
    /// `own-posts(cursor)`.
    OwnPosts,
    /// `relationships(ids)`: one unpaged call.
    Relationships(Vec<String>),
    /// `lookup-self`: one unpaged call.
    LookupSelf,
}

impl ReadCall {
    /// The read capability this call needs.
    pub fn kind(&self) -> ReadKind {
        match self {
            ReadCall::Discover(source) => ReadKind::of_source(source),
            ReadCall::RecentPosts(_) => ReadKind::RecentPosts,
            ReadCall::OwnPosts => ReadKind::OwnPosts,
            ReadCall::Relationships(_) => ReadKind::Relationships,
            ReadCall::LookupSelf => ReadKind::LookupSelf,
        }
    }

    /// Whether the call answers pages with a cursor.
    fn paged(&self) -> bool {
        !matches!(self, ReadCall::Relationships(_) | ReadCall::LookupSelf)
    }

    /// A call of `kind` with sample arguments, to check that an undeclared read is refused.
    pub fn sample(kind: ReadKind) -> Option<ReadCall> {
        Some(match kind {
            ReadKind::Notifications => return None,
            ReadKind::DiscoverHashtag => ReadCall::Discover(DiscoverySource::Hashtag("pottery".into())),
            ReadKind::DiscoverSearch => ReadCall::Discover(DiscoverySource::Search("pottery".into())),
            ReadKind::DiscoverSuggestions => ReadCall::Discover(DiscoverySource::Suggestions),
            ReadKind::DiscoverFollowersOf => ReadCall::Discover(DiscoverySource::FollowersOf("1".into())),
            ReadKind::DiscoverList => ReadCall::Discover(DiscoverySource::List("1".into())),
            ReadKind::RecentPosts => ReadCall::RecentPosts("1".into()),
            ReadKind::OwnPosts => ReadCall::OwnPosts,
            ReadKind::Relationships => ReadCall::Relationships(vec!["1".into(), "2".into()]),
            ReadKind::LookupSelf => ReadCall::LookupSelf,
        })
    }
}

/// Every read kind beyond notifications, which the main suite covers.
const READS: [ReadKind; 9] = [
    ReadKind::DiscoverHashtag,
    ReadKind::DiscoverSearch,
    ReadKind::DiscoverSuggestions,
    ReadKind::DiscoverFollowersOf,
    ReadKind::DiscoverList,
    ReadKind::RecentPosts,
    ReadKind::OwnPosts,
    ReadKind::Relationships,
    ReadKind::LookupSelf,
];

/// The failures a read call is probed with. A refused token is the notification probe's business
/// (its renewal exchanges are scripted there).
const READ_CASES: [ErrorCase; 5] = [
    ErrorCase::NotFound,
    ErrorCase::RateLimited(120),
    ErrorCase::ServerError(503),
    ErrorCase::Malformed,
    ErrorCase::NetworkFailure,
];

/// One read call's platform exchanges.
#[derive(Clone)]
pub struct ReadScript {
    /// The call and its arguments.
    pub call: ReadCall,
    /// The pages from the first (no cursor) to the last; an unpaged call has one. Each step's
    /// ids are what the page holds: candidates' account ids, post ids, the relationships' ids,
    /// or the acting account's id.
    pub pages: Vec<Step>,
    /// The exchanges of a first page that holds nothing (`None` for an unpaged call).
    pub empty: Option<Vec<Exchange>>,
    /// Where the errors are probed: the call's cursor, the exchanges before, the request.
    pub probe: ErrorProbe,
}

/// Runs the read checks into `report`.
pub(super) async fn run(builder: &HarnessBuilder, script: &dyn PlatformScript, report: &mut Report) {
    let declared = match fresh(builder).await {
        Ok(harness) => harness.describe().reads.clone(),
        Err(why) => return report.record("reads: the plugin loads", Err(why)),
    };
    let scripts = script.reads();
    let scripted: HashSet<ReadKind> = scripts.iter().map(|s| s.call.kind()).collect();
    for kind in READS {
        let name = kind.as_str();
        if !declared.contains(&kind) {
            report.record(format!("read {name}: undeclared, so denied"), undeclared(builder, kind).await);
        } else if !scripted.contains(&kind) {
            report.record(format!("read {name}: scripted"), Err("declared, but the script has none".into()));
        }
    }
    for read in scripts {
        let name = read.call.kind().as_str();
        if !declared.contains(&read.call.kind()) {
            report.record(format!("read {name}: declared"), Err("scripted, but not declared".into()));
            continue;
        }
        report.record(format!("read {name}: pages to the end"), pages(builder, &read).await);
        if let Some(empty) = &read.empty {
            report
                .record(format!("read {name}: an empty page ends"), empty_page(builder, &read, empty).await);
        }
        for case in READ_CASES {
            report.record(
                format!("read {name}: error {case:?}"),
                error_case(builder, script, &read, case).await,
            );
        }
    }
}

/// One call's ids and next cursor.
async fn call(
    harness: &Harness,
    call: &ReadCall,
    cursor: Option<&str>,
) -> Result<(Vec<String>, Option<String>), HarnessError> {
    Ok(match call {
        ReadCall::Discover(source) => {
            let page = harness.discover(source, cursor).await?;
            (page.items.into_iter().map(|c| c.account.id).collect(), page.next_cursor)
        }
        ReadCall::RecentPosts(id) => {
            let page = harness.recent_posts(id, cursor).await?;
            (page.items.into_iter().map(|p| p.id).collect(), page.next_cursor)
        }
        ReadCall::OwnPosts => {
            let page = harness.own_posts(cursor).await?;
            (page.items.into_iter().map(|p| p.post.id).collect(), page.next_cursor)
        }
        ReadCall::Relationships(ids) => {
            (harness.relationships(ids).await?.into_iter().map(|r| r.id).collect(), None)
        }
        ReadCall::LookupSelf => (vec![harness.lookup_self().await?.id], None),
    })
}

async fn pages(builder: &HarnessBuilder, read: &ReadScript) -> Result<(), String> {
    ensure(!read.pages.is_empty(), || "the script has no page".to_owned())?;
    ensure(read.call.paged() || read.pages.len() == 1, || "an unpaged call has one step".to_owned())?;
    let harness = fresh(builder).await?;
    let mut cursor: Option<String> = None;
    let mut seen = HashSet::new();
    for (i, step) in read.pages.iter().enumerate() {
        harness.expect_all(step.exchanges.clone());
        let (ids, next) = call(&harness, &read.call, cursor.as_deref())
            .await
            .map_err(|e| format!("page {} (cursor {cursor:?}): {e}", i + 1))?;
        unused(&harness, &format!("page {}", i + 1))?;
        ensure(sorted(&ids) == sorted(&step.ids), || {
            format!("page {} returned ids {ids:?}, the script expects {:?}", i + 1, step.ids)
        })?;
        if let Some(dup) = ids.iter().find(|id| !seen.insert((*id).clone())) {
            return Err(format!("page {} returned {dup:?} again", i + 1));
        }
        if i + 1 == read.pages.len() {
            ensure(next.is_none(), || format!("the last page returned cursor {next:?}, not the end"))?;
        } else {
            ensure(next.is_some() && next != cursor, || {
                format!("page {} returned cursor {next:?} after {cursor:?}: no way on", i + 1)
            })?;
        }
        cursor = next;
    }
    Ok(())
}

async fn empty_page(
    builder: &HarnessBuilder,
    read: &ReadScript,
    exchanges: &[Exchange],
) -> Result<(), String> {
    let harness = fresh(builder).await?;
    harness.expect_all(exchanges.to_vec());
    let (ids, next) = call(&harness, &read.call, None).await.map_err(|e| e.to_string())?;
    unused(&harness, "the empty page")?;
    ensure(ids.is_empty() && next.is_none(), || {
        format!("an empty page returned ids {ids:?} and cursor {next:?}, not an empty end")
    })
}

/// What a read must make of `case`: a malformed page is the platform's fault and will not mend
/// by asking again, so it is `permanent`, never `transient`.
fn accepts(case: ErrorCase, error: &PluginError) -> bool {
    match case {
        ErrorCase::Malformed => matches!(error, PluginError::Permanent(_)),
        _ => case.accepts(error),
    }
}

async fn error_case(
    builder: &HarnessBuilder,
    script: &dyn PlatformScript,
    read: &ReadScript,
    case: ErrorCase,
) -> Result<(), String> {
    let harness = fresh(builder).await?;
    let probe = read.probe.clone();
    harness.expect_all(probe.before);
    let exchange = match case {
        ErrorCase::NetworkFailure => {
            probe.request.fail(TransportError::Connection("connection reset by peer".into()))
        }
        _ => probe.request.answer(crate::Answer::Respond(script.error_response(case))),
    };
    harness.expect(exchange);
    let result = call(&harness, &read.call, probe.cursor.as_deref()).await;
    unused(&harness, "the probed call")?;
    match result {
        Err(HarnessError::Plugin(error)) if accepts(case, &error) => {}
        Err(HarnessError::Plugin(error)) => return Err(format!("mapped to {error:?}")),
        Err(other) => return Err(format!("failed outside the contract: {other}")),
        Ok((ids, _)) => return Err(format!("succeeded with {} items", ids.len())),
    }
    if let ErrorCase::RateLimited(_) = case {
        ensure(harness.rate_limit().is_some_and(|s| s.remaining == Some(0)), || {
            format!("the host recorded no exhausted rate limit from the 429 ({:?})", harness.rate_limit())
        })?;
    }
    Ok(())
}

async fn undeclared(builder: &HarnessBuilder, kind: ReadKind) -> Result<(), String> {
    let harness = fresh(builder).await?;
    let Some(sample) = ReadCall::sample(kind) else { return Ok(()) };
    match call(&harness, &sample, None).await {
        Err(HarnessError::Plugin(PluginError::Denied(_))) => {
            ensure(harness.requests().is_empty(), || "refused, but only after sending requests".to_owned())
        }
        other => Err(format!("undeclared, but the call gave {other:?} instead of denied")),
    }
}
