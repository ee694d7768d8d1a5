//! `rapport ratio`: the non-sales/sales post ratio per account.

use rapport_protocol::AccountRatio;
use rapport_protocol::requests::Ratio;

use super::Context;
use crate::Exit;
use crate::view::table;

/// Arguments of `rapport ratio`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One account only.
    #[arg(long)]
    account: Option<String>,
}

/// Prints the ratio.
pub fn run(Args { account }: Args, cx: &Context) -> anyhow::Result<Exit> {
    let ratios = cx.client.call(Ratio { account })?;
    cx.print(&ratios, |r| view(r))?;
    Ok(Exit::Ok)
}

/// The post ratio per account.
fn view(ratios: &[AccountRatio]) -> String {
    if ratios.is_empty() {
        return "No accounts.\n".into();
    }
    let rows: Vec<Vec<String>> = ratios
        .iter()
        .map(|r| {
            let next = if r.value_needed == 0 {
                "allowed now".to_string()
            } else {
                format!("after {} more value post(s)", r.value_needed)
            };
            vec![
                r.account.clone(),
                r.brand.clone().unwrap_or_else(|| "-".into()),
                r.value_posts.to_string(),
                r.sales_posts.to_string(),
                format!("{}:1", r.required),
                next,
            ]
        })
        .collect();
    table(&["ACCOUNT", "BRAND", "VALUE", "SALES", "REQUIRED", "NEXT SALES POST"], &rows)
}
