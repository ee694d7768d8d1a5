//! The monthly cap on reads a platform bills per item (X's pay-per-use API): before each billed
//! read the planners ask the [`Meter`], and after it they charge what it returned, at the price
//! the plugin declares (`read-costs`). Past the account's `max_read_spend_usd` for the calendar
//! month (UTC), the planners stop reading until the next month; `rapport status` shows the sum.

use rapport_core::UnixSeconds;
use rapport_core::reads::ReadKind;

use crate::accounts::Account;
use crate::state::State;

/// One account's billed-read budget for one pass.
pub struct Meter<'a> {
    daemon: &'a State,
    account: &'a Account,
    month: String,
}

/// The calendar month (`YYYY-MM`, UTC) of `at`, as spend is counted.
pub fn month_of(at: UnixSeconds) -> String {
    let mut day = rapport_core::localtime::date_label(at, chrono_tz::Tz::UTC);
    day.truncate(7);
    day
}

impl<'a> Meter<'a> {
    /// The meter of `account` now.
    pub fn new(daemon: &'a State, account: &'a Account) -> Meter<'a> {
        Meter { daemon, account, month: month_of(daemon.now()) }
    }

    fn price(&self, read: ReadKind) -> u64 {
        let costs = &self.account.description().read_costs;
        costs.iter().find(|c| c.read == read).map_or(0, |c| u64::from(c.micro_usd_per_item))
    }

    /// Refuses a billed read once the month's cap is spent, saying when reading resumes.
    pub fn allow(&self, read: ReadKind) -> anyhow::Result<()> {
        let Some(cap) = self.account.config.max_read_spend_usd else { return Ok(()) };
        if self.price(read) == 0 {
            return Ok(());
        }
        let spent = self.daemon.store.read_spend(self.account.name(), &self.month)?;
        if spent >= u64::from(cap) * 1_000_000 {
            anyhow::bail!(
                "`{}` is not read: billed reads reached this month's cap of ${cap} (max_read_spend_usd); they resume next month",
                read.as_str()
            );
        }
        Ok(())
    }

    /// Records `items` read by `read`, at the plugin's price.
    pub fn charge(&self, read: ReadKind, items: usize) -> anyhow::Result<()> {
        let cost = self.price(read).saturating_mul(u64::try_from(items).unwrap_or(u64::MAX));
        if cost > 0 {
            self.daemon.store.add_read_spend(self.account.name(), &self.month, cost)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn spend_is_counted_by_utc_calendar_month() {
        // 2026-12-31 23:30 UTC and 2027-01-01 00:30 UTC.
        assert_eq!(super::month_of(1_798_759_800), "2026-12");
        assert_eq!(super::month_of(1_798_763_400), "2027-01");
    }
}
