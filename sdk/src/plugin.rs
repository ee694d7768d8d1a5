//! The trait a plugin implements: the contract's `plugin` interface, with a default for every call
//! but `describe`, so that a plugin implements only the calls its platform supports.
//!
//! A default answers `denied`, the contract's "the plugin or platform does not permit this", with
//! the reason [`Plugin::unsupported_reason`] gives or a generic one. A contract version that adds
//! a call adds it here with its default, once, and a plugin that does not serve it needs no change.

use std::fmt;

use crate::bindings::exports::rapport::platform::plugin::Guest;
use crate::types::{
    Access, Account, AccountPage, ActionOutcome, ActionRequest, CandidatePage, Description, DiscoverySource,
    NotificationPage, OwnPostPage, PluginError, PostPage, Relationship, RelationshipOf,
};

/// A call of the contract's `plugin` interface that a plugin may leave unsupported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `fetch-notifications`.
    FetchNotifications,
    /// `execute`.
    Execute,
    /// `lookup-account`.
    LookupAccount,
    /// `relationship`.
    Relationship,
    /// `list-followers`.
    ListFollowers,
    /// `list-following`.
    ListFollowing,
    /// `check-access`.
    CheckAccess,
    /// `discover`.
    Discover,
    /// `recent-posts`.
    RecentPosts,
    /// `own-posts`.
    OwnPosts,
    /// `relationships`.
    Relationships,
    /// `lookup-self`.
    LookupSelf,
}

impl Call {
    /// The call's name in the contract (`list-followers`).
    pub fn name(self) -> &'static str {
        match self {
            Call::FetchNotifications => "fetch-notifications",
            Call::Execute => "execute",
            Call::LookupAccount => "lookup-account",
            Call::Relationship => "relationship",
            Call::ListFollowers => "list-followers",
            Call::ListFollowing => "list-following",
            Call::CheckAccess => "check-access",
            Call::Discover => "discover",
            Call::RecentPosts => "recent-posts",
            Call::OwnPosts => "own-posts",
            Call::Relationships => "relationships",
            Call::LookupSelf => "lookup-self",
        }
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a plugin implements; export it with [`export_plugin!`](crate::export_plugin).
///
/// Only [`Plugin::describe`] is required. Every other call defaults to `denied`; override the
/// calls the platform supports, and [`Plugin::unsupported_reason`] to tell the person why the
/// platform cannot serve the others.
pub trait Plugin {
    /// What the plugin is and what the platform permits; must not do I/O.
    fn describe() -> Description;

    /// One page of notifications after `cursor` (the one this call returned last time, if any).
    fn fetch_notifications(_cursor: Option<String>) -> Result<NotificationPage, PluginError> {
        Err(unsupported::<Self>(Call::FetchNotifications))
    }

    /// Performs an approved action; `request.idempotency_key` is stable across retries.
    fn execute(_request: ActionRequest) -> Result<ActionOutcome, PluginError> {
        Err(unsupported::<Self>(Call::Execute))
    }

    /// The account with this platform id.
    fn lookup_account(_id: String) -> Result<Account, PluginError> {
        Err(unsupported::<Self>(Call::LookupAccount))
    }

    /// How the acting account stands to the account with this id.
    fn relationship(_id: String) -> Result<Relationship, PluginError> {
        Err(unsupported::<Self>(Call::Relationship))
    }

    /// One page of the acting account's followers.
    fn list_followers(_cursor: Option<String>) -> Result<AccountPage, PluginError> {
        Err(unsupported::<Self>(Call::ListFollowers))
    }

    /// One page of the accounts the acting account follows.
    fn list_following(_cursor: Option<String>) -> Result<AccountPage, PluginError> {
        Err(unsupported::<Self>(Call::ListFollowing))
    }

    /// Checks the account's credential against what the plugin's calls need.
    fn check_access() -> Result<Access, PluginError> {
        Err(unsupported::<Self>(Call::CheckAccess))
    }

    /// One page of people of interest from `source`, after `cursor`. List the sources served in
    /// the description's `reads`: the host calls only those.
    fn discover(_source: DiscoverySource, _cursor: Option<String>) -> Result<CandidatePage, PluginError> {
        Err(unsupported::<Self>(Call::Discover))
    }

    /// One page of the posts of the account with this id, newest first.
    fn recent_posts(_id: String, _cursor: Option<String>) -> Result<PostPage, PluginError> {
        Err(unsupported::<Self>(Call::RecentPosts))
    }

    /// One page of the acting account's own posts with their metrics, newest first.
    fn own_posts(_cursor: Option<String>) -> Result<OwnPostPage, PluginError> {
        Err(unsupported::<Self>(Call::OwnPosts))
    }

    /// How the acting account stands to each of these accounts.
    fn relationships(_ids: Vec<String>) -> Result<Vec<RelationshipOf>, PluginError> {
        Err(unsupported::<Self>(Call::Relationships))
    }

    /// The acting account, with its follower and following counts.
    fn lookup_self() -> Result<Account, PluginError> {
        Err(unsupported::<Self>(Call::LookupSelf))
    }

    /// Why the platform cannot serve `call`, for the `denied` error of a call left to its default;
    /// `None` gives a generic reason naming the plugin and the call.
    fn unsupported_reason(_call: Call) -> Option<String> {
        None
    }
}

/// The `denied` error a call left to its default answers with.
fn unsupported<P: Plugin + ?Sized>(call: Call) -> PluginError {
    let reason = P::unsupported_reason(call)
        .unwrap_or_else(|| format!("the {} plugin does not support `{call}`", P::describe().name));
    PluginError::Denied(reason)
}

/// Every [`Plugin`] is the generated `Guest` the export macro needs; the calls pass straight
/// through, so the defaults above are what the host sees for an unsupported call.
impl<P: Plugin> Guest for P {
    fn describe() -> Description {
        P::describe()
    }

    fn fetch_notifications(cursor: Option<String>) -> Result<NotificationPage, PluginError> {
        P::fetch_notifications(cursor)
    }

    fn execute(request: ActionRequest) -> Result<ActionOutcome, PluginError> {
        P::execute(request)
    }

    fn lookup_account(id: String) -> Result<Account, PluginError> {
        P::lookup_account(id)
    }

    fn relationship(id: String) -> Result<Relationship, PluginError> {
        P::relationship(id)
    }

    fn list_followers(cursor: Option<String>) -> Result<AccountPage, PluginError> {
        P::list_followers(cursor)
    }

    fn list_following(cursor: Option<String>) -> Result<AccountPage, PluginError> {
        P::list_following(cursor)
    }

    fn check_access() -> Result<Access, PluginError> {
        P::check_access()
    }

    fn discover(source: DiscoverySource, cursor: Option<String>) -> Result<CandidatePage, PluginError> {
        P::discover(source, cursor)
    }

    fn recent_posts(id: String, cursor: Option<String>) -> Result<PostPage, PluginError> {
        P::recent_posts(id, cursor)
    }

    fn own_posts(cursor: Option<String>) -> Result<OwnPostPage, PluginError> {
        P::own_posts(cursor)
    }

    fn relationships(ids: Vec<String>) -> Result<Vec<RelationshipOf>, PluginError> {
        P::relationships(ids)
    }

    fn lookup_self() -> Result<Account, PluginError> {
        P::lookup_self()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ActionKind;

    /// A plugin that supports nothing but `describe`, and explains one refusal.
    struct Bare;

    impl Plugin for Bare {
        fn describe() -> Description {
            Description {
                name: "bare".into(),
                version: "0".into(),
                contract: crate::CONTRACT_VERSION.into(),
                platform: "nowhere".into(),
                capabilities: vec![ActionKind::Like],
                ceilings: Vec::new(),
                hosts: Vec::new(),
                rules: Vec::new(),
                reads: Vec::new(),
                one_at_a_time: Vec::new(),
                read_costs: Vec::new(),
            }
        }

        fn unsupported_reason(call: Call) -> Option<String> {
            (call == Call::ListFollowers).then(|| "nowhere has no follower list".to_owned())
        }
    }

    #[test]
    fn unsupported_calls_are_denied_with_the_plugin_s_reason_or_a_generic_one() {
        assert_eq!(
            <Bare as Guest>::list_followers(None),
            Err(PluginError::Denied("nowhere has no follower list".into()))
        );
        assert_eq!(
            <Bare as Guest>::relationship("7".into()),
            Err(PluginError::Denied("the bare plugin does not support `relationship`".into()))
        );
        assert!(matches!(<Bare as Guest>::check_access(), Err(PluginError::Denied(_))));
        assert_eq!(<Bare as Guest>::describe().name, "bare");
    }
}
