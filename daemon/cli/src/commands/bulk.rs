//! What every change to several ids shares: the per-id results, their view and the exit code.

use std::fmt::Write as _;

use rapport_protocol::{Call, ItemResult};

use super::Context;
use crate::Exit;

/// Sends a change whose reply is one result per id, prints them, and says how it went.
pub fn send<C: Call<Reply = Vec<ItemResult>>>(cx: &Context, request: C, verb: &str) -> anyhow::Result<Exit> {
    let results = cx.client.call(request)?;
    cx.print(&results, |r| view(r, verb))?;
    Ok(exit(&results))
}

/// The exit code of a bulk change: partial when some ids failed, failed when all did.
fn exit(results: &[ItemResult]) -> Exit {
    match results.iter().filter(|r| r.error.is_some()).count() {
        0 => Exit::Ok,
        n if n == results.len() => Exit::Failed,
        _ => Exit::Partial,
    }
}

/// One line per failed id, then the totals.
fn view(results: &[ItemResult], verb: &str) -> String {
    let mut out = String::new();
    let failed = results.iter().filter(|r| r.error.is_some()).count();
    for result in results {
        if let Some(error) = &result.error {
            let _ = writeln!(out, "{}: {error}", result.id);
        }
    }
    let _ = writeln!(out, "{} {verb}, {failed} failed.", results.len() - failed);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_results_list_failures_and_totals() {
        let results = [ItemResult::ok(1), ItemResult::failed(404, "there is no task 404")];
        assert_eq!(view(&results, "approved"), "404: there is no task 404\n1 approved, 1 failed.\n");
        assert_eq!(exit(&results), Exit::Partial);
        assert_eq!(exit(&results[..1]), Exit::Ok);
        assert_eq!(exit(&results[1..]), Exit::Failed);
    }
}
