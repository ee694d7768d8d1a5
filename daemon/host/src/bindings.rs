//! The generated contract bindings, the per-call store state that implements the host imports,
//! and the conversions between binding types and `rapport-core` types.
//!
//! Every contract version the host supports is bound side by side ([`v0_1`], the frozen 0.1.0,
//! and [`v0_2`], the current one), so a plugin built against an older SDK keeps loading. The
//! versions' generated types are distinct Rust types of the same shape, so the import
//! implementations and the conversions are written once, in [`contract_version!`], and expanded
//! in each version's module; the version-neutral work lives in [`CallState`]'s methods.
//!
//! Nothing generated leaves this module's crate: the public API speaks core types only, so a
//! wasmtime upgrade or contract change touches the host crate alone.

use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::clock::Clock;
use crate::egress::transport::TransportResponse;
use crate::egress::{HttpFailure, PluginRequest, Session};
use crate::kv::PluginKv;
use crate::limits::Meter;
use crate::plugin::AccountContext;

/// The longest plugin log line kept; the rest is cut so a plugin cannot flood the daemon's log.
const MAX_LOG_LINE: usize = 4096;

/// Everything one call's `Store` holds.
pub(crate) struct CallState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub meter: Meter,
    pub egress: Session,
    pub context: AccountContext,
    pub kv: Arc<dyn PluginKv>,
    pub clock: Arc<dyn Clock>,
    /// The guest's stderr (a Rust panic message lands here), shown when the call traps.
    pub stderr: MemoryOutputPipe,
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Plugin log levels, the same in every contract version.
pub(crate) enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// The host side of the imports, version-neutral: each version's trait impls convert and call these.
impl CallState {
    /// `http.send`: the request goes out under the egress policy; refusals are values the plugin
    /// handles, never traps.
    async fn http_send(&mut self, request: PluginRequest) -> Result<TransportResponse, HttpFailure> {
        let result = self.egress.send(request).await;
        if let Err(failure) = &result {
            tracing::info!(plugin = %self.egress.plugin, account = %self.egress.account, error = ?failure, "egress refused");
        }
        result
    }

    /// `log.write`: tagged with plugin and account, scrubbed of secrets, cut to [`MAX_LOG_LINE`].
    fn log_write(&mut self, level: LogLevel, message: &str) {
        let mut message = self.egress.secrets.scrub(message);
        if message.len() > MAX_LOG_LINE {
            let cut = (0..=MAX_LOG_LINE).rev().find(|&i| message.is_char_boundary(i)).unwrap_or(0);
            message.truncate(cut);
            message.push('…');
        }
        let (plugin, account) = (&self.egress.plugin, &self.egress.account);
        match level {
            LogLevel::Trace => tracing::trace!(target: "plugin", %plugin, %account, "{message}"),
            LogLevel::Debug => tracing::debug!(target: "plugin", %plugin, %account, "{message}"),
            LogLevel::Info => tracing::info!(target: "plugin", %plugin, %account, "{message}"),
            LogLevel::Warn => tracing::warn!(target: "plugin", %plugin, %account, "{message}"),
            LogLevel::Error => tracing::error!(target: "plugin", %plugin, %account, "{message}"),
        }
    }
}

/// The import implementations and the conversions of one contract version, expanded inside that
/// version's module (after its `bindgen!`), where `rapport::platform` names its generated types.
macro_rules! contract_version {
    () => {
        use rapport::platform::{account, clock, http, kv, log, types};
        use rapport_core::notification::{Notification, NotificationKind, Post, Profile};
        use rapport_core::platform::{
            AccountPage, ActionOutcome, NotificationPage, PluginError, RateCeiling, Relationship,
        };
        use rapport_core::task::Action;

        use crate::bindings::{CallState, LogLevel};
        use crate::egress::transport::Method;
        use crate::egress::{HttpFailure, PluginRequest};
        use crate::media::Image;

        impl types::Host for CallState {}

        impl http::Host for CallState {
            async fn send(
                &mut self,
                request: http::Request,
            ) -> wasmtime::Result<Result<http::Response, http::HttpError>> {
                let method = match request.method {
                    http::Method::Get => Method::Get,
                    http::Method::Post => Method::Post,
                    http::Method::Put => Method::Put,
                    http::Method::Patch => Method::Patch,
                    http::Method::Delete => Method::Delete,
                };
                let request =
                    PluginRequest { method, url: request.url, headers: request.headers, body: request.body };
                Ok(match self.http_send(request).await {
                    Ok(r) => Ok(http::Response { status: r.status, headers: r.headers, body: r.body }),
                    Err(failure) => Err(match failure {
                        HttpFailure::Denied(why) => http::HttpError::Denied(why),
                        HttpFailure::TooLarge(why) => http::HttpError::TooLarge(why),
                        HttpFailure::Timeout => http::HttpError::Timeout,
                        HttpFailure::Connection(why) => http::HttpError::Connection(why),
                        HttpFailure::Invalid(why) => http::HttpError::Invalid(why),
                    }),
                })
            }
        }

        impl log::Host for CallState {
            async fn write(&mut self, level: log::Level, message: String) -> wasmtime::Result<()> {
                let level = match level {
                    log::Level::Trace => LogLevel::Trace,
                    log::Level::Debug => LogLevel::Debug,
                    log::Level::Info => LogLevel::Info,
                    log::Level::Warn => LogLevel::Warn,
                    log::Level::Error => LogLevel::Error,
                };
                self.log_write(level, &message);
                Ok(())
            }
        }

        impl kv::Host for CallState {
            async fn get(&mut self, key: String) -> wasmtime::Result<Option<Vec<u8>>> {
                Ok(self.kv.get(&key)?)
            }

            async fn set(&mut self, key: String, value: Vec<u8>) -> wasmtime::Result<()> {
                Ok(self.kv.set(&key, &value)?)
            }

            async fn delete(&mut self, key: String) -> wasmtime::Result<()> {
                Ok(self.kv.delete(&key)?)
            }
        }

        impl clock::Host for CallState {
            async fn now_millis(&mut self) -> wasmtime::Result<i64> {
                Ok(self.clock.now_millis())
            }
        }

        impl account::Host for CallState {
            async fn current(&mut self) -> wasmtime::Result<account::Context> {
                let c = &self.context;
                Ok(account::Context {
                    name: c.name.clone(),
                    api_base: c.api_base.clone(),
                    user: c.user.clone(),
                    settings: c.settings.clone(),
                })
            }
        }

        /// The plugin's own `result`, with its error converted and its value converted by
        /// `convert` (whose error means the answer was malformed).
        pub(crate) fn answer<W, T>(
            result: Result<W, types::PluginError>,
            convert: impl FnOnce(W) -> Result<T, String>,
        ) -> crate::plugin::Answer<T> {
            match result {
                Ok(value) => convert(value).map_err(crate::plugin::Refusal::Malformed),
                Err(e) => Err(crate::plugin::Refusal::Plugin(plugin_error(e))),
            }
        }

        /// A rate ceiling, its action converted by the version's `action_kind`.
        pub(crate) fn ceiling(c: types::RateCeiling) -> RateCeiling {
            RateCeiling { action: action_kind(c.action), limit: c.limit, window_seconds: c.window_seconds }
        }

        pub(crate) fn plugin_error(e: types::PluginError) -> PluginError {
            match e {
                types::PluginError::Auth(s) => PluginError::Auth(s),
                types::PluginError::RateLimited(s) => PluginError::RateLimited(s),
                types::PluginError::Transient(s) => PluginError::Transient(s),
                types::PluginError::Permanent(s) => PluginError::Permanent(s),
                types::PluginError::Denied(s) => PluginError::Denied(s),
            }
        }

        /// Converts an account, refusing one without an id (nothing could refer to it).
        pub(crate) fn profile(a: types::Account) -> Result<Profile, String> {
            if a.id.is_empty() {
                return Err(format!("account `{}` has an empty id", a.handle));
            }
            Ok(Profile {
                id: a.id,
                handle: a.handle,
                display_name: a.display_name,
                bio: a.bio,
                followers: a.followers,
                following: a.following,
                posts: a.posts,
                created: a.created,
                has_avatar: a.has_avatar,
                bot: a.bot,
                url: a.url,
            })
        }

        pub(crate) fn post(p: types::Post) -> Result<Post, String> {
            if p.id.is_empty() {
                return Err("a post has an empty id".to_owned());
            }
            Ok(Post {
                id: p.id,
                text: p.text,
                url: p.url,
                author: profile(p.author)?,
                in_reply_to: p.in_reply_to,
                created: p.created,
                visibility: p.visibility,
            })
        }

        fn notification(n: types::Notification) -> Result<Notification, String> {
            if n.id.is_empty() {
                return Err("a notification has an empty id, so it cannot be deduplicated".to_owned());
            }
            let kind = match n.kind {
                types::NotificationKind::Mention => NotificationKind::Mention,
                types::NotificationKind::Reply => NotificationKind::Reply,
                types::NotificationKind::Quote => NotificationKind::Quote,
                types::NotificationKind::Follow => NotificationKind::Follow,
                types::NotificationKind::FollowRequest => NotificationKind::FollowRequest,
                types::NotificationKind::Like => NotificationKind::Like,
                types::NotificationKind::Repost => NotificationKind::Repost,
                types::NotificationKind::Post => NotificationKind::Post,
                types::NotificationKind::Other => NotificationKind::Other,
            };
            Ok(Notification {
                id: n.id,
                kind,
                at: n.at,
                account: profile(n.account)?,
                post: n.post.map(post).transpose()?,
            })
        }

        pub(crate) fn notification_page(p: types::NotificationPage) -> Result<NotificationPage, String> {
            Ok(NotificationPage {
                items: p.items.into_iter().map(notification).collect::<Result<_, _>>()?,
                next_cursor: p.next_cursor,
            })
        }

        pub(crate) fn account_page(p: types::AccountPage) -> Result<AccountPage, String> {
            Ok(AccountPage {
                items: p.items.into_iter().map(profile).collect::<Result<_, _>>()?,
                next_cursor: p.next_cursor,
            })
        }

        pub(crate) fn relationship(r: types::Relationship) -> Relationship {
            Relationship { following: r.following, followed_by: r.followed_by, requested: r.requested }
        }

        pub(crate) fn outcome(o: types::ActionOutcome) -> ActionOutcome {
            ActionOutcome { id: o.id, url: o.url }
        }

        /// The actions both versions know, converted; the others are handed back for the
        /// version's own `action_request`.
        fn shared_action(action: Action) -> Result<types::Action, Action> {
            Ok(match action {
                Action::Reply { to_post_id, text, visibility } => {
                    types::Action::Reply(types::Reply { to_post_id, text, visibility })
                }
                Action::Follow { account_id } => types::Action::Follow(account_id),
                Action::FollowBack { account_id } => types::Action::FollowBack(account_id),
                Action::Unfollow { account_id } => types::Action::Unfollow(account_id),
                Action::Like { post_id } => types::Action::Like(post_id),
                Action::Repost { post_id } => types::Action::Repost(post_id),
                Action::AcceptFollowRequest { account_id } => types::Action::AcceptFollowRequest(account_id),
                other @ (Action::Publish { .. } | Action::Message { .. }) => return Err(other),
            })
        }
    };
}

/// The frozen contract 0.1.0 (`sdk/wit/0.1.0/`): plugins built against SDK 0.1 keep loading.
pub(crate) mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../../sdk/wit/0.1.0",
        world: "platform",
        imports: { default: async | trappable },
        exports: { default: async },
    });
    contract_version!();

    use rapport_core::platform::Description;
    use rapport_core::reads::ReadKind;
    use rapport_core::task::ActionKind;

    pub(crate) fn action_kind(kind: types::ActionKind) -> ActionKind {
        match kind {
            types::ActionKind::Reply => ActionKind::Reply,
            types::ActionKind::Publish => ActionKind::Publish,
            types::ActionKind::Follow => ActionKind::Follow,
            types::ActionKind::FollowBack => ActionKind::FollowBack,
            types::ActionKind::Unfollow => ActionKind::Unfollow,
            types::ActionKind::Like => ActionKind::Like,
            types::ActionKind::Repost => ActionKind::Repost,
            types::ActionKind::AcceptFollowRequest => ActionKind::AcceptFollowRequest,
        }
    }

    /// A 0.1 description: the plugin serves notifications only and names no one-at-a-time
    /// actions or read costs, which 0.1 could not say.
    pub(crate) fn description(d: types::Description) -> Description {
        Description {
            name: d.name,
            version: d.version,
            contract: d.contract,
            platform: d.platform,
            capabilities: d.capabilities.into_iter().map(action_kind).collect(),
            ceilings: d.ceilings.into_iter().map(ceiling).collect(),
            hosts: d.hosts,
            rules: d.rules,
            reads: vec![ReadKind::Notifications],
            one_at_a_time: Vec::new(),
            read_costs: Vec::new(),
        }
    }

    /// The request for `action`; a 0.1 plugin can neither message nor attach media.
    pub(crate) fn action_request(
        idempotency_key: &str,
        action: &Action,
        images: Vec<Image>,
    ) -> Result<types::ActionRequest, String> {
        if !images.is_empty() {
            return Err("the plugin was built for contract 0.1.0, which cannot attach images; \
                 update the plugin or post without the image"
                .to_owned());
        }
        let action = match shared_action(action.clone()) {
            Ok(action) => action,
            // The post kind (value or sales) is the daemon's bookkeeping; the platform never sees it.
            Err(Action::Publish { text, media_alt, .. }) => {
                types::Action::Publish(types::Publish { text, media_alt })
            }
            Err(other) => {
                return Err(format!(
                    "the plugin was built for contract 0.1.0, which has no `{}`",
                    other.kind()
                ));
            }
        };
        Ok(types::ActionRequest { idempotency_key: idempotency_key.to_owned(), action })
    }
}

/// The current contract 0.2.0 (`sdk/wit/platform.wit`).
pub(crate) mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../sdk/wit",
        world: "platform",
        imports: { default: async | trappable },
        exports: { default: async },
    });
    contract_version!();

    use rapport_core::platform::Description;
    use rapport_core::reads::{
        Candidate, CandidatePage, DiscoverySource, OwnPost, OwnPostPage, PostMetrics, PostPage, ReadCost,
        ReadKind, RelationshipOf,
    };
    use rapport_core::task::ActionKind;

    pub(crate) fn action_kind(kind: types::ActionKind) -> ActionKind {
        match kind {
            types::ActionKind::Reply => ActionKind::Reply,
            types::ActionKind::Publish => ActionKind::Publish,
            types::ActionKind::Follow => ActionKind::Follow,
            types::ActionKind::FollowBack => ActionKind::FollowBack,
            types::ActionKind::Unfollow => ActionKind::Unfollow,
            types::ActionKind::Like => ActionKind::Like,
            types::ActionKind::Repost => ActionKind::Repost,
            types::ActionKind::AcceptFollowRequest => ActionKind::AcceptFollowRequest,
            types::ActionKind::Message => ActionKind::Message,
        }
    }

    fn read_kind(read: types::ReadKind) -> ReadKind {
        match read {
            types::ReadKind::Notifications => ReadKind::Notifications,
            types::ReadKind::DiscoverHashtag => ReadKind::DiscoverHashtag,
            types::ReadKind::DiscoverSearch => ReadKind::DiscoverSearch,
            types::ReadKind::DiscoverSuggestions => ReadKind::DiscoverSuggestions,
            types::ReadKind::DiscoverFollowersOf => ReadKind::DiscoverFollowersOf,
            types::ReadKind::DiscoverList => ReadKind::DiscoverList,
            types::ReadKind::RecentPosts => ReadKind::RecentPosts,
            types::ReadKind::OwnPosts => ReadKind::OwnPosts,
            types::ReadKind::Relationships => ReadKind::Relationships,
            types::ReadKind::LookupSelf => ReadKind::LookupSelf,
        }
    }

    pub(crate) fn description(d: types::Description) -> Description {
        Description {
            name: d.name,
            version: d.version,
            contract: d.contract,
            platform: d.platform,
            capabilities: d.capabilities.into_iter().map(action_kind).collect(),
            ceilings: d.ceilings.into_iter().map(ceiling).collect(),
            hosts: d.hosts,
            rules: d.rules,
            reads: d.reads.into_iter().map(read_kind).collect(),
            one_at_a_time: d.one_at_a_time.into_iter().map(action_kind).collect(),
            read_costs: d
                .read_costs
                .into_iter()
                .map(|c| ReadCost { read: read_kind(c.read), micro_usd_per_item: c.micro_usd_per_item })
                .collect(),
        }
    }

    /// The request for `action`, with the bytes of the images it attaches.
    pub(crate) fn action_request(
        idempotency_key: &str,
        action: &Action,
        images: Vec<Image>,
    ) -> Result<types::ActionRequest, String> {
        let action = match shared_action(action.clone()) {
            Ok(action) => action,
            // The post kind (value or sales) is the daemon's bookkeeping; the platform never sees it.
            Err(Action::Publish { text, media_alt, .. }) => {
                let media = images
                    .into_iter()
                    .map(|i| types::Media { bytes: i.bytes, mime_type: i.mime_type, alt: i.alt })
                    .collect();
                types::Action::Publish(types::Publish { text, media_alt, media })
            }
            Err(Action::Message { account_id, text }) => {
                types::Action::Message(types::Message { account_id, text })
            }
            Err(other) => return Err(format!("`{}` has no 0.2.0 form", other.kind())),
        };
        Ok(types::ActionRequest { idempotency_key: idempotency_key.to_owned(), action })
    }

    /// Converts what `check-access` answered.
    pub(crate) fn access(a: types::Access) -> Result<rapport_core::platform::Access, String> {
        Ok(rapport_core::platform::Access {
            acting_as: a.acting_as,
            granted: a.granted,
            missing: a
                .missing
                .into_iter()
                .map(|m| rapport_core::platform::MissingPermission {
                    permission: m.permission,
                    actions: m.actions.into_iter().map(action_kind).collect(),
                    reads: m.reads,
                })
                .collect(),
        })
    }

    pub(crate) fn discovery_source(source: &DiscoverySource) -> types::DiscoverySource {
        match source.clone() {
            DiscoverySource::Hashtag(tag) => types::DiscoverySource::Hashtag(tag),
            DiscoverySource::Search(query) => types::DiscoverySource::Search(query),
            DiscoverySource::Suggestions => types::DiscoverySource::Suggestions,
            DiscoverySource::FollowersOf(id) => types::DiscoverySource::FollowersOf(id),
            DiscoverySource::List(id) => types::DiscoverySource::List(id),
        }
    }

    pub(crate) fn candidate_page(p: types::CandidatePage) -> Result<CandidatePage, String> {
        let items = p
            .items
            .into_iter()
            .map(|c| {
                Ok(Candidate {
                    account: profile(c.account)?,
                    post: c.post.map(post).transpose()?,
                    known_followers: c.known_followers,
                    why: c.why,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(CandidatePage { items, next_cursor: p.next_cursor })
    }

    pub(crate) fn post_page(p: types::PostPage) -> Result<PostPage, String> {
        Ok(PostPage {
            items: p.items.into_iter().map(post).collect::<Result<_, _>>()?,
            next_cursor: p.next_cursor,
        })
    }

    pub(crate) fn own_post_page(p: types::OwnPostPage) -> Result<OwnPostPage, String> {
        let items = p
            .items
            .into_iter()
            .map(|o| {
                let m = o.metrics;
                let metrics = PostMetrics {
                    likes: m.likes,
                    reposts: m.reposts,
                    replies: m.replies,
                    quotes: m.quotes,
                    views: m.views,
                };
                Ok(OwnPost { post: post(o.post)?, metrics })
            })
            .collect::<Result<_, String>>()?;
        Ok(OwnPostPage { items, next_cursor: p.next_cursor })
    }

    pub(crate) fn relationships(list: Vec<types::RelationshipOf>) -> Result<Vec<RelationshipOf>, String> {
        list.into_iter()
            .map(|r| {
                if r.id.is_empty() {
                    return Err("a relationship has an empty id".to_owned());
                }
                Ok(RelationshipOf { id: r.id, relationship: relationship(r.relationship) })
            })
            .collect()
    }
}
