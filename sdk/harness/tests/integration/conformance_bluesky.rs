//! The Bluesky plugin's real component against the contract conformance suite, with XRPC
//! exchanges in the shapes of the AT Protocol lexicons, plus Bluesky's own rules: one login
//! (`createSession`) whose session is kept in kv, `refreshSession` (not a new login) on
//! `ExpiredToken`, `updateSeen` after a page, unfollow as a `deleteRecord` of the follow record,
//! the write budget declared as ceilings, and for the 0.2 reads: a search that reads posts and
//! then accounts, candidates read again as detailed profiles (counts, known followers), reposts
//! left out of feeds, relationships 30 per request, and images uploaded as blobs.

use rapport_core::platform::{ActionOutcome, PluginError, RateCeiling};
use rapport_core::reads::DiscoverySource;
use rapport_core::task::{Action, ActionKind, MediaFile, PostKind};
use rapport_harness::conformance::{
    self, ErrorCase, ErrorProbe, PlatformScript, ReadCall, ReadScript, Step, Walk,
};
use rapport_harness::{
    DEFAULT_NOW, Exchange, ExpectedRequest, Harness, HarnessBuilder, HarnessError, Method, TransportResponse,
    locate,
};
use serde_json::{Value, json};

const PDS: &str = "https://pds.example";
const USER: &str = "me.test";
const ME: &str = "did:plc:me";
const APP_PASSWORD: &str = "abcd-efgh-ijkl-mnop";
/// Where the plugin keeps its session: `session:{api_base}:{user}`.
const SESSION_KEY: &str = "session:https://pds.example:me.test";

/// The account's own post the notifications are about.
const ROOT: &str = "at://did:plc:me/app.bsky.feed.post/3kqroot";
/// Ann's reply to it, which the reply, like and repost actions answer.
const ANN_POST: &str = "at://did:plc:ann/app.bsky.feed.post/3kqannreply";
/// The acting account's follow record for Cat.
const FOLLOW_RECORD: &str = "at://did:plc:me/app.bsky.graph.follow/3kqfollowcat";

const T1: &str = "2024-05-01T11:10:00.100Z";
const T2: &str = "2024-05-01T11:20:00.200Z";
const T3: &str = "2024-05-01T11:30:00.300Z";

fn wasm() -> std::path::PathBuf {
    locate::platform_plugin("bluesky").unwrap_or_else(|e| panic!("{e}"))
}

/// An account before its first call: a user and an app password, no session.
fn new_account() -> HarnessBuilder {
    Harness::builder(wasm()).account("bsky").api_base(PDS).user(USER).secret("app_password", APP_PASSWORD)
}

/// `createSession` / `refreshSession` output.
fn session(access: &str, refresh: &str) -> Value {
    json!({
        "did": ME, "handle": USER, "email": "me@example.com", "emailConfirmed": true,
        "accessJwt": access, "refreshJwt": refresh, "active": true,
        "didDoc": {"id": ME, "service": [
            {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": PDS}
        ]}
    })
}

/// An account with the session of an earlier login in kv, as on every call after the first.
fn signed_in() -> HarnessBuilder {
    new_account().kv_json(
        SESSION_KEY,
        &json!({"did": ME, "handle": USER, "accessJwt": "access-1", "refreshJwt": "refresh-1"}),
    )
}

fn xrpc(nsid: &str) -> String {
    format!("{PDS}/xrpc/{nsid}")
}

/// A query with the session's access token.
fn query(nsid_and_params: &str, access: &str) -> ExpectedRequest {
    Exchange::get(xrpc(nsid_and_params)).with_header("authorization", format!("Bearer {access}"))
}

/// A procedure with the session's access token whose JSON body satisfies `check`.
fn procedure(
    nsid: &str,
    what: &str,
    check: impl Fn(&Value) -> bool + Send + Sync + 'static,
) -> ExpectedRequest {
    Exchange::post(xrpc(nsid))
        .with_header("authorization", "Bearer access-1")
        .with_header("content-type", "application/json")
        .with_body_matching(what.to_owned(), move |body| {
            serde_json::from_slice(body).is_ok_and(|v: Value| check(&v))
        })
}

fn list_notifications(query_params: &str) -> ExpectedRequest {
    query(
        &format!(
            "app.bsky.notification.listNotifications?limit=50&reasons=mention&reasons=reply&reasons=follow{query_params}"
        ),
        "access-1",
    )
}

/// `app.bsky.actor.defs#profileViewBasic`.
fn basic(name: &str) -> Value {
    json!({"did": format!("did:plc:{name}"), "handle": format!("{name}.test"), "displayName": name.to_uppercase(),
           "avatar": format!("https://cdn.example/{name}.jpg"), "labels": [], "viewer": {"muted": false}})
}

/// `app.bsky.actor.defs#profileViewDetailed`, with the acting account's viewer state.
fn detailed(name: &str, viewer: Value) -> Value {
    let mut p = basic(name);
    p["description"] = json!(format!("{name} bakes bread"));
    p["followersCount"] = json!(120);
    p["followsCount"] = json!(80);
    p["postsCount"] = json!(42);
    p["createdAt"] = json!("2023-12-01T00:00:00.000Z");
    p["indexedAt"] = json!("2023-12-01T00:00:00.000Z");
    p["viewer"] = viewer;
    p
}

fn profiles(names: &[&str]) -> String {
    let list: Vec<Value> = names.iter().map(|n| detailed(n, json!({"muted": false}))).collect();
    json!({"profiles": list}).to_string()
}

/// `app.bsky.feed.defs#postView` of `uri` by `author`.
fn post_view(uri: &str, author: &str, record: Value, viewer: Value) -> Value {
    json!({"uri": uri, "cid": format!("bafy{}", uri.len()), "author": basic(author), "record": record,
           "replyCount": 0, "repostCount": 0, "likeCount": 1, "indexedAt": T1, "viewer": viewer, "labels": []})
}

fn root_record() -> Value {
    json!({"$type": "app.bsky.feed.post", "text": "Fresh sourdough today",
           "createdAt": "2024-05-01T10:00:00.000Z"})
}

fn ann_reply_record() -> Value {
    json!({"$type": "app.bsky.feed.post", "text": "Looks great!", "createdAt": "2024-05-01T11:29:00.000Z",
           "reply": {"root": {"uri": ROOT, "cid": "bafyroot"}, "parent": {"uri": ROOT, "cid": "bafyroot"}}})
}

/// `app.bsky.notification.listNotifications#notification`.
fn notification(uri: &str, author: &str, reason: &str, at: &str) -> Value {
    let (subject, record) = match reason {
        "reply" => (Some(ROOT), ann_reply_record()),
        "like" => (
            Some(ROOT),
            json!({"$type": "app.bsky.feed.like", "subject": {"uri": ROOT, "cid": "bafyroot"}, "createdAt": at}),
        ),
        _ => (None, json!({"$type": "app.bsky.graph.follow", "subject": ME, "createdAt": at})),
    };
    let mut n = json!({"uri": uri, "cid": "bafyn", "author": basic(author), "reason": reason, "record": record,
                       "isRead": false, "indexedAt": at, "labels": []});
    if let Some(subject) = subject {
        n["reasonSubject"] = json!(subject);
    }
    n
}

const REPLY_N: &str = ANN_POST;
const LIKE_N: &str = "at://did:plc:bob/app.bsky.feed.like/3kqlike";
const FOLLOW_N: &str = "at://did:plc:cat/app.bsky.graph.follow/3kqfollow";

fn reply_n() -> Value {
    notification(REPLY_N, "ann", "reply", T3)
}
fn like_n() -> Value {
    notification(LIKE_N, "bob", "like", T2)
}
fn follow_n() -> Value {
    notification(FOLLOW_N, "cat", "follow", T1)
}

fn notifications(items: &[Value], cursor: Option<&str>) -> String {
    let mut page = json!({"notifications": items, "priorities": false, "seenAt": "2024-05-01T09:00:00.000Z"});
    if let Some(cursor) = cursor {
        page["cursor"] = json!(cursor);
    }
    page.to_string()
}

fn update_seen(at: &'static str) -> Exchange {
    procedure("app.bsky.notification.updateSeen", &format!("seenAt is {at}"), move |v| v["seenAt"] == at)
        .respond(200, "")
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// `createRecord` in `collection` under a TID, answered with the record's new place.
fn create_record(
    collection: &'static str,
    what: &str,
    record: impl Fn(&Value) -> bool + Send + Sync + 'static,
) -> Exchange {
    procedure("com.atproto.repo.createRecord", what, move |v| {
        v["repo"] == ME
            && v["collection"] == collection
            && v["rkey"].as_str().is_some_and(|k| k.len() == 13)
            && v["record"]["$type"] == collection
            && v["record"]["createdAt"].is_string()
            && record(&v["record"])
    })
    .respond(
        200,
        json!({"uri": format!("at://{ME}/{collection}/3kqnewrecord2"), "cid": "bafynew",
               "commit": {"cid": "bafycommit", "rev": "3kqrev"}, "validationStatus": "valid"})
        .to_string(),
    )
}

fn get_posts(uri: &str, record: Value, viewer: Value) -> Exchange {
    query(&format!("app.bsky.feed.getPosts?uris={uri}"), "access-1")
        .respond(200, json!({"posts": [post_view(uri, "ann", record, viewer)]}).to_string())
}

fn get_profile(actor: &str, viewer: Value) -> Exchange {
    query(&format!("app.bsky.actor.getProfile?actor={actor}"), "access-1")
        .respond(200, detailed(actor.trim_start_matches("did:plc:"), viewer).to_string())
}

/// The list a discovery reads from.
const LIST: &str = "at://did:plc:ann/app.bsky.graph.list/3kqlist";

fn did(name: &str) -> String {
    format!("did:plc:{name}")
}

/// A post of `author`'s with `rkey`, in `postView` shape with counts.
fn post_of(author: &str, rkey: &str) -> Value {
    let uri = format!("at://did:plc:{author}/app.bsky.feed.post/{rkey}");
    let record = json!({"$type": "app.bsky.feed.post", "text": format!("{author}'s #pottery {rkey}"),
                        "createdAt": "2024-05-01T10:00:00.000Z"});
    let mut view = post_view(&uri, author, record, json!({}));
    view["quoteCount"] = json!(0);
    view
}

fn post_uri(author: &str, rkey: &str) -> String {
    format!("at://did:plc:{author}/app.bsky.feed.post/{rkey}")
}

/// A `feedViewPost`; `reposted_by` makes it a repost into the feed.
fn feed_item(author: &str, rkey: &str, reposted_by: Option<&str>) -> Value {
    let mut item = json!({"post": post_of(author, rkey)});
    if let Some(by) = reposted_by {
        item["reason"] =
            json!({"$type": "app.bsky.feed.defs#reasonRepost", "by": basic(by), "indexedAt": T2});
    }
    item
}

/// A page of `list` holding `items`, with `cursor` if there is more.
fn xrpc_page(list: &str, items: Vec<Value>, cursor: Option<&str>) -> String {
    let mut page = json!({ list: items });
    if let Some(cursor) = cursor {
        page["cursor"] = json!(cursor);
    }
    page.to_string()
}

/// The detailed profiles of candidates that came as a basic view.
fn get_profiles(names: &[&str]) -> Exchange {
    let actors: Vec<String> = names.iter().map(|n| format!("actors={}", did(n))).collect();
    query(&format!("app.bsky.actor.getProfiles?{}", actors.join("&")), "access-1")
        .respond(200, profiles(names))
}

fn search_posts(q: &str, cursor: Option<&str>) -> ExpectedRequest {
    let url = format!("app.bsky.feed.searchPosts?q={q}&limit=50");
    paged(&url, cursor)
}

fn search_actors(cursor: Option<&str>) -> ExpectedRequest {
    paged("app.bsky.actor.searchActors?q=pottery&limit=50", cursor)
}

/// `nsid_and_params` with `&cursor=…`, or asserting there is no cursor.
fn paged(nsid_and_params: &str, cursor: Option<&str>) -> ExpectedRequest {
    match cursor {
        Some(cursor) => query(&format!("{nsid_and_params}&cursor={cursor}"), "access-1"),
        None => query(nsid_and_params, "access-1").without_query("cursor"),
    }
}

fn author_feed(actor: &str, cursor: Option<&str>) -> ExpectedRequest {
    paged(&format!("app.bsky.feed.getAuthorFeed?actor={actor}&filter=posts_no_replies&limit=50"), cursor)
}

fn followers_of(cursor: Option<&str>) -> ExpectedRequest {
    paged("app.bsky.graph.getFollowers?actor=did:plc:ann&limit=50", cursor)
}

fn list_feed(cursor: Option<&str>) -> ExpectedRequest {
    paged(&format!("app.bsky.feed.getListFeed?list={LIST}&limit=50"), cursor)
}

fn suggested() -> ExpectedRequest {
    query(&format!("app.bsky.graph.getSuggestedFollowsByActor?actor={ME}"), "access-1")
}

/// `getRelationships` of the acting account with `others`.
fn get_relationships(others: &[String]) -> ExpectedRequest {
    let others: Vec<String> = others.iter().map(|o| format!("others={o}")).collect();
    query(&format!("app.bsky.graph.getRelationships?actor={ME}&{}", others.join("&")), "access-1")
}

/// The 31 accounts of the bulk check: one more than a request takes.
fn bulk_ids() -> Vec<String> {
    (0..31).map(|i| did(&format!("u{i:02}"))).collect()
}

fn step(exchanges: Vec<Exchange>, expected: &[&str]) -> Step {
    Step {
        exchanges,
        ids: expected.iter().map(|n| if n.starts_with("at://") { (*n).to_owned() } else { did(n) }).collect(),
    }
}

/// The discovery scripts: every source, each reading its candidates' detailed profiles.
fn discovery_reads() -> Vec<ReadScript> {
    let hashtag = ReadScript {
        call: ReadCall::Discover(DiscoverySource::Hashtag("pottery".into())),
        pages: vec![
            // Ann twice (one candidate), and the acting account's own post (left out).
            step(
                vec![
                    search_posts("%23pottery", None).respond(
                        200,
                        xrpc_page(
                            "posts",
                            vec![
                                post_of("ann", "3kqa2"),
                                post_of("bob", "3kqb1"),
                                post_of("ann", "3kqa1"),
                                post_of("me", "3kqm1"),
                            ],
                            Some("1714560000000::bafyb"),
                        ),
                    ),
                    get_profiles(&["ann", "bob"]),
                ],
                &["ann", "bob"],
            ),
            step(
                vec![
                    search_posts("%23pottery", Some("1714560000000::bafyb"))
                        .respond(200, xrpc_page("posts", vec![post_of("cat", "3kqc1")], None)),
                    get_profiles(&["cat"]),
                ],
                &["cat"],
            ),
        ],
        empty: Some(vec![
            search_posts("%23pottery", None).respond(200, xrpc_page("posts", Vec::new(), None)),
        ]),
        probe: ErrorProbe { cursor: None, before: Vec::new(), request: search_posts("%23pottery", None) },
    };
    let search = ReadScript {
        call: ReadCall::Discover(DiscoverySource::Search("pottery".into())),
        pages: vec![
            step(
                vec![
                    search_posts("pottery", None)
                        .respond(200, xrpc_page("posts", vec![post_of("ann", "3kqa1")], Some("p1"))),
                    get_profiles(&["ann"]),
                ],
                &["ann"],
            ),
            // The last page of posts: the accounts come next.
            step(
                vec![
                    search_posts("pottery", Some("p1"))
                        .respond(200, xrpc_page("posts", vec![post_of("bob", "3kqb1")], None)),
                    get_profiles(&["bob"]),
                ],
                &["bob"],
            ),
            step(
                vec![
                    search_actors(None).respond(200, xrpc_page("actors", vec![basic("cat")], Some("a1"))),
                    get_profiles(&["cat"]),
                ],
                &["cat"],
            ),
            step(
                vec![
                    search_actors(Some("a1")).respond(200, xrpc_page("actors", vec![basic("dan")], None)),
                    get_profiles(&["dan"]),
                ],
                &["dan"],
            ),
        ],
        // No posts: the accounts are read in the same call, so an empty page is the end.
        empty: Some(vec![
            search_posts("pottery", None).respond(200, xrpc_page("posts", Vec::new(), None)),
            search_actors(None).respond(200, xrpc_page("actors", Vec::new(), None)),
        ]),
        probe: ErrorProbe { cursor: None, before: Vec::new(), request: search_posts("pottery", None) },
    };
    let suggestions = ReadScript {
        call: ReadCall::Discover(DiscoverySource::Suggestions),
        pages: vec![step(
            vec![
                // Ann comes detailed already; only Bob is read again.
                suggested().respond(
                    200,
                    json!({"suggestions": [detailed("ann", json!({"knownFollowers": {"count": 2, "followers": []}})), basic("bob")],
                           "recIdStr": "7"})
                    .to_string(),
                ),
                get_profiles(&["bob"]),
            ],
            &["ann", "bob"],
        )],
        empty: Some(vec![suggested().respond(200, r#"{"suggestions": []}"#)]),
        probe: ErrorProbe { cursor: None, before: Vec::new(), request: suggested() },
    };
    let followers = |names: &[&str], cursor: Option<&str>| {
        let mut page: Value =
            serde_json::from_str(&xrpc_page("followers", names.iter().map(|n| basic(n)).collect(), cursor))
                .unwrap_or_default();
        page["subject"] = basic("ann");
        page.to_string()
    };
    let followers_of_ann = ReadScript {
        call: ReadCall::Discover(DiscoverySource::FollowersOf(did("ann"))),
        pages: vec![
            step(
                vec![
                    followers_of(None).respond(200, followers(&["bob", "cat"], Some("f1"))),
                    get_profiles(&["bob", "cat"]),
                ],
                &["bob", "cat"],
            ),
            step(
                vec![
                    followers_of(Some("f1")).respond(200, followers(&["dan"], None)),
                    get_profiles(&["dan"]),
                ],
                &["dan"],
            ),
        ],
        empty: Some(vec![followers_of(None).respond(200, followers(&[], None))]),
        probe: ErrorProbe { cursor: None, before: Vec::new(), request: followers_of(None) },
    };
    let list = ReadScript {
        call: ReadCall::Discover(DiscoverySource::List(LIST.into())),
        pages: vec![
            // Cat's post reposted into the list by Dan is no post of a member's.
            step(
                vec![
                    list_feed(None).respond(
                        200,
                        xrpc_page(
                            "feed",
                            vec![feed_item("bob", "3kqb1", None), feed_item("cat", "3kqc1", Some("dan"))],
                            Some("l1"),
                        ),
                    ),
                    get_profiles(&["bob"]),
                ],
                &["bob"],
            ),
            step(
                vec![
                    list_feed(Some("l1"))
                        .respond(200, xrpc_page("feed", vec![feed_item("cat", "3kqc2", None)], None)),
                    get_profiles(&["cat"]),
                ],
                &["cat"],
            ),
        ],
        empty: Some(vec![list_feed(None).respond(200, xrpc_page("feed", Vec::new(), None))]),
        probe: ErrorProbe { cursor: None, before: Vec::new(), request: list_feed(None) },
    };
    vec![hashtag, search, suggestions, followers_of_ann, list]
}

/// The post, relationship and self scripts.
fn account_reads() -> Vec<ReadScript> {
    let ann = did("ann");
    let recent = ReadScript {
        call: ReadCall::RecentPosts(ann.clone()),
        pages: vec![
            // Bob's post that Ann reposted is not hers.
            step(
                vec![author_feed(&ann, None).respond(
                    200,
                    xrpc_page(
                        "feed",
                        vec![feed_item("ann", "3kqa2", None), feed_item("bob", "3kqb1", Some("ann"))],
                        Some("r1"),
                    ),
                )],
                &[&post_uri("ann", "3kqa2")],
            ),
            step(
                vec![
                    author_feed(&ann, Some("r1"))
                        .respond(200, xrpc_page("feed", vec![feed_item("ann", "3kqa1", None)], None)),
                ],
                &[&post_uri("ann", "3kqa1")],
            ),
        ],
        empty: Some(vec![author_feed(&ann, None).respond(200, xrpc_page("feed", Vec::new(), None))]),
        probe: ErrorProbe { cursor: None, before: Vec::new(), request: author_feed(&ann, None) },
    };
    let own = ReadScript {
        call: ReadCall::OwnPosts,
        pages: vec![
            step(
                vec![
                    author_feed(ME, None)
                        .respond(200, xrpc_page("feed", vec![feed_item("me", "3kqm2", None)], Some("o1"))),
                ],
                &[&post_uri("me", "3kqm2")],
            ),
            step(
                vec![
                    author_feed(ME, Some("o1"))
                        .respond(200, xrpc_page("feed", vec![feed_item("me", "3kqm1", None)], None)),
                ],
                &[&post_uri("me", "3kqm1")],
            ),
        ],
        empty: Some(vec![author_feed(ME, None).respond(200, xrpc_page("feed", Vec::new(), None))]),
        probe: ErrorProbe { cursor: None, before: Vec::new(), request: author_feed(ME, None) },
    };
    let ids = bulk_ids();
    let (first, rest) = ids.split_at(30);
    let found: Vec<Value> = first
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut r = json!({"$type": "app.bsky.graph.defs#relationship", "did": id});
            if i % 2 == 0 {
                r["following"] = json!(format!("at://{ME}/app.bsky.graph.follow/3kq{i:02}"));
            }
            r
        })
        .collect();
    let gone = json!({"$type": "app.bsky.graph.defs#notFoundActor", "actor": rest[0], "notFound": true});
    let relationships = ReadScript {
        call: ReadCall::Relationships(ids.clone()),
        pages: vec![Step {
            exchanges: vec![
                get_relationships(first)
                    .respond(200, json!({"actor": ME, "relationships": found}).to_string()),
                get_relationships(rest)
                    .respond(200, json!({"actor": ME, "relationships": [gone]}).to_string()),
            ],
            // The account the AppView does not know is left out.
            ids: first.to_vec(),
        }],
        empty: None,
        probe: ErrorProbe { cursor: None, before: Vec::new(), request: get_relationships(first) },
    };
    let own_profile = || query(&format!("app.bsky.actor.getProfile?actor={ME}"), "access-1");
    let lookup_self = ReadScript {
        call: ReadCall::LookupSelf,
        pages: vec![Step {
            exchanges: vec![own_profile().respond(200, detailed("me", json!({"muted": false})).to_string())],
            ids: vec![ME.to_owned()],
        }],
        empty: None,
        probe: ErrorProbe { cursor: None, before: Vec::new(), request: own_profile() },
    };
    vec![recent, own, relationships, lookup_self]
}

struct Bluesky;

impl PlatformScript for Bluesky {
    fn notification_walk(&self) -> Walk {
        Walk {
            start: None,
            steps: vec![
                // The newest page, then (a first read backfills) the older one.
                Step {
                    exchanges: vec![
                        list_notifications("").without_query("cursor").respond(
                            200,
                            notifications(&[reply_n(), like_n()], Some("1714562400200::bafyn")),
                        ),
                        query("app.bsky.actor.getProfiles?actors=did:plc:ann&actors=did:plc:bob", "access-1")
                            .respond(200, profiles(&["ann", "bob"])),
                        query(&format!("app.bsky.feed.getPosts?uris={ROOT}"), "access-1").respond(
                            200,
                            json!({"posts": [post_view(ROOT, "me", root_record(), json!({}))]}).to_string(),
                        ),
                        update_seen(T3),
                    ],
                    ids: ids(&[REPLY_N, LIKE_N]),
                },
                Step {
                    exchanges: vec![
                        list_notifications("&cursor=1714562400200::bafyn")
                            .respond(200, notifications(&[follow_n()], None)),
                        query("app.bsky.actor.getProfiles?actors=did:plc:cat", "access-1")
                            .respond(200, profiles(&["cat"])),
                        update_seen(T3),
                    ],
                    ids: ids(&[FOLLOW_N]),
                },
                // Caught up: the newest page holds only what was delivered; nothing is marked seen.
                Step {
                    exchanges: vec![list_notifications("").without_query("cursor").respond(
                        200,
                        notifications(&[reply_n(), like_n(), follow_n()], Some("1714562400100::bafyn")),
                    )],
                    ids: Vec::new(),
                },
            ],
        }
    }

    fn follower_walk(&self) -> Option<Walk> {
        let followers = |names: &[&str], cursor: Option<&str>| {
            let list: Vec<Value> = names.iter().map(|n| basic(n)).collect();
            let mut page = json!({"subject": basic("me"), "followers": list});
            if let Some(cursor) = cursor {
                page["cursor"] = json!(cursor);
            }
            page.to_string()
        };
        let get = |params: &str| {
            query(&format!("app.bsky.graph.getFollowers?actor={ME}&limit=100{params}"), "access-1")
        };
        Some(Walk {
            start: None,
            steps: vec![
                Step {
                    exchanges: vec![
                        get("")
                            .without_query("cursor")
                            .respond(200, followers(&["ann", "bob"], Some("3kqf1"))),
                    ],
                    ids: ids(&["did:plc:ann", "did:plc:bob"]),
                },
                Step {
                    exchanges: vec![get("&cursor=3kqf1").respond(200, followers(&["cat"], None))],
                    ids: ids(&["did:plc:cat"]),
                },
            ],
        })
    }

    fn error_probe(&self) -> ErrorProbe {
        ErrorProbe { cursor: None, before: Vec::new(), request: list_notifications("") }
    }

    /// XRPC error bodies, and the PDS's `ratelimit-*` headers with a Unix-time reset.
    fn error_response(&self, case: ErrorCase) -> TransportResponse {
        let xrpc =
            |status: u16, headers: Vec<(String, String)>, error: &str, message: &str| TransportResponse {
                status,
                headers,
                body: json!({"error": error, "message": message}).to_string().into_bytes(),
            };
        match case {
            ErrorCase::Unauthorized => {
                xrpc(401, Vec::new(), "AuthenticationRequired", "Authentication Required")
            }
            ErrorCase::Forbidden => xrpc(403, Vec::new(), "Forbidden", "Forbidden"),
            ErrorCase::NotFound => xrpc(404, Vec::new(), "NotFound", "Not Found"),
            ErrorCase::RateLimited(wait) => {
                let headers = [
                    ("ratelimit-limit", "3000".to_owned()),
                    ("ratelimit-remaining", "0".to_owned()),
                    ("ratelimit-reset", (DEFAULT_NOW + i64::from(wait)).to_string()),
                    ("ratelimit-policy", "3000;w=300".to_owned()),
                ];
                let headers = headers.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
                xrpc(429, headers, "RateLimitExceeded", "Rate Limit Exceeded")
            }
            ErrorCase::ServerError(500) => {
                xrpc(500, Vec::new(), "InternalServerError", "Internal Server Error")
            }
            _ => case.generic_response(),
        }
    }

    fn after_error(&self, case: ErrorCase) -> Vec<Exchange> {
        match case {
            // A refused token is renewed once and the request sent again; refused again, it is `auth`.
            ErrorCase::Unauthorized => vec![
                Exchange::post(xrpc("com.atproto.server.refreshSession"))
                    .with_header("authorization", "Bearer refresh-1")
                    .respond(200, session("access-2", "refresh-2").to_string()),
                query("app.bsky.notification.listNotifications?limit=50", "access-2").respond(
                    401,
                    r#"{"error":"AuthenticationRequired","message":"Authentication Required"}"#,
                ),
            ],
            _ => Vec::new(),
        }
    }

    fn action(&self, kind: ActionKind) -> Option<(Action, Vec<Exchange>)> {
        let ann_post = || get_posts(ANN_POST, ann_reply_record(), json!({}));
        Some(match kind {
            ActionKind::Reply => (
                Action::Reply {
                    to_post_id: ANN_POST.into(),
                    text: "Thanks!".into(),
                    visibility: String::new(),
                },
                vec![
                    ann_post(),
                    // The thread's root stays the root; the parent is the post answered.
                    create_record("app.bsky.feed.post", "a reply to Ann under the thread's root", |r| {
                        r["text"] == "Thanks!"
                            && r["reply"]["root"]["uri"] == ROOT
                            && r["reply"]["root"]["cid"] == "bafyroot"
                            && r["reply"]["parent"]["uri"] == ANN_POST
                    }),
                ],
            ),
            ActionKind::Publish => (
                conformance::sample_action(ActionKind::Publish),
                vec![create_record("app.bsky.feed.post", "a top-level post", |r| {
                    r["text"] == "Hello from the conformance suite" && r.get("reply").is_none()
                })],
            ),
            ActionKind::Follow | ActionKind::FollowBack => {
                let account_id = "did:plc:cat".to_owned();
                let action = if kind == ActionKind::Follow {
                    Action::Follow { account_id }
                } else {
                    Action::FollowBack { account_id }
                };
                (
                    action,
                    vec![
                        get_profile(
                            "did:plc:cat",
                            json!({"muted": false, "followedBy": "at://did:plc:cat/app.bsky.graph.follow/3kqcat"}),
                        ),
                        create_record("app.bsky.graph.follow", "a follow of Cat", |r| {
                            r["subject"] == "did:plc:cat"
                        }),
                    ],
                )
            }
            ActionKind::Unfollow => (
                Action::Unfollow { account_id: "did:plc:cat".into() },
                vec![get_profile("did:plc:cat", json!({"following": FOLLOW_RECORD})), delete_follow()],
            ),
            ActionKind::Like => (
                Action::Like { post_id: ANN_POST.into() },
                vec![
                    ann_post(),
                    create_record("app.bsky.feed.like", "a like of Ann's post", |r| {
                        r["subject"]["uri"] == ANN_POST && r["subject"]["cid"].is_string()
                    }),
                ],
            ),
            ActionKind::Repost => (
                Action::Repost { post_id: ANN_POST.into() },
                vec![
                    ann_post(),
                    create_record("app.bsky.feed.repost", "a repost of Ann's post", |r| {
                        r["subject"]["uri"] == ANN_POST
                    }),
                ],
            ),
            ActionKind::AcceptFollowRequest | ActionKind::Message => return None,
        })
    }

    fn reads(&self) -> Vec<ReadScript> {
        let mut reads = discovery_reads();
        reads.extend(account_reads());
        reads
    }
}

fn delete_follow() -> Exchange {
    procedure("com.atproto.repo.deleteRecord", "a delete of the follow record", |v| {
        v["repo"] == ME && v["collection"] == "app.bsky.graph.follow" && v["rkey"] == "3kqfollowcat"
    })
    .respond(200, r#"{"commit":{"cid":"bafycommit","rev":"3kqrev2"}}"#)
}

fn count(harness: &Harness, nsid: &str) -> usize {
    harness.requests().iter().filter(|r| r.url.contains(&format!("/xrpc/{nsid}"))).count()
}

#[tokio::test]
async fn bluesky_passes_the_conformance_suite() {
    let report = conformance::run(&signed_in(), &Bluesky).await;
    assert!(report.passed(), "{report}");
}

#[tokio::test]
async fn the_session_is_created_once_and_then_reused_from_kv() {
    let harness = new_account().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        Exchange::post(xrpc("com.atproto.server.createSession"))
            .without_query("identifier")
            .with_body_matching("the identifier and the substituted app password", |body| {
                serde_json::from_slice(body)
                    .is_ok_and(|v: Value| v["identifier"] == USER && v["password"] == APP_PASSWORD)
            })
            .respond(200, session("access-1", "refresh-1").to_string()),
        list_notifications("").respond(200, notifications(&[], None)),
    ]);
    let page = harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(page.items.is_empty() && page.next_cursor.is_none());
    harness.assert_done();
    let stored: Value = harness.kv_get_json(SESSION_KEY).unwrap_or_default();
    assert_eq!(
        (&stored["did"], &stored["accessJwt"], &stored["refreshJwt"]),
        (&json!(ME), &json!("access-1"), &json!("refresh-1"))
    );
    assert!(
        harness.kv().snapshot().values().all(|v| !String::from_utf8_lossy(v).contains(APP_PASSWORD)),
        "the plugin never holds the app password"
    );

    // Later calls, and a restarted daemon with the same kv, reuse the session.
    harness.expect(get_profile(
        "did:plc:cat",
        json!({"followedBy": "at://did:plc:cat/app.bsky.graph.follow/3kqcat"}),
    ));
    let relationship = harness.relationship("did:plc:cat").await.unwrap_or_else(|e| panic!("{e}"));
    assert!(relationship.followed_by && !relationship.following);
    harness.assert_done();
    let restarted = new_account().build().await.unwrap_or_else(|e| panic!("{e}"));
    restarted.kv().restore(harness.kv().snapshot());
    restarted.expect(list_notifications("").respond(200, notifications(&[], None)));
    restarted.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    restarted.assert_done();
    assert_eq!(count(&harness, "com.atproto.server.createSession"), 1);
    assert_eq!(count(&restarted, "com.atproto.server.createSession"), 0);
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_not_a_new_login() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        list_notifications("").respond(400, r#"{"error":"ExpiredToken","message":"Token has expired"}"#),
        Exchange::post(xrpc("com.atproto.server.refreshSession"))
            .with_header("authorization", "Bearer refresh-1")
            .respond(200, session("access-2", "refresh-2").to_string()),
        query("app.bsky.notification.listNotifications?limit=50", "access-2")
            .respond(200, notifications(&[], None)),
    ]);
    let page = harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(page.items.is_empty());
    harness.assert_done();
    assert_eq!(count(&harness, "com.atproto.server.createSession"), 0, "no new login");
    let stored: Value = harness.kv_get_json(SESSION_KEY).unwrap_or_default();
    assert_eq!((&stored["accessJwt"], &stored["refreshJwt"]), (&json!("access-2"), &json!("refresh-2")));

    // The next call goes out with the refreshed token straight away.
    harness.expect(
        query("app.bsky.actor.getProfile?actor=did:plc:cat", "access-2")
            .respond(200, detailed("cat", json!({})).to_string()),
    );
    let account = harness.lookup_account("did:plc:cat").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((account.id.as_str(), account.followers), ("did:plc:cat", Some(120)));
    harness.assert_done();
}

#[tokio::test]
async fn a_refused_refresh_token_logs_in_again_once() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        list_notifications("").respond(400, r#"{"error":"ExpiredToken","message":"Token has expired"}"#),
        Exchange::post(xrpc("com.atproto.server.refreshSession"))
            .with_header("authorization", "Bearer refresh-1")
            .respond(400, r#"{"error":"ExpiredToken","message":"Token has expired"}"#),
        Exchange::post(xrpc("com.atproto.server.createSession"))
            .with_body_contains(APP_PASSWORD)
            .respond(200, session("access-3", "refresh-3").to_string()),
        query("app.bsky.notification.listNotifications?limit=50", "access-3")
            .respond(200, notifications(&[], None)),
    ]);
    harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    let stored: Value = harness.kv_get_json(SESSION_KEY).unwrap_or_default();
    assert_eq!(stored["accessJwt"], "access-3");

    // A login refused in turn is `auth`, and the plugin does not try again in the same call.
    let refused = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    refused.expect_all([
        list_notifications("").respond(400, r#"{"error":"ExpiredToken","message":"Token has expired"}"#),
        Exchange::post(xrpc("com.atproto.server.refreshSession"))
            .respond(400, r#"{"error":"ExpiredToken","message":"Token has expired"}"#),
        Exchange::post(xrpc("com.atproto.server.createSession"))
            .respond(401, r#"{"error":"AuthenticationRequired","message":"Invalid identifier or password"}"#),
    ]);
    let err = refused.fetch_notifications(None).await;
    assert!(matches!(&err, Err(HarnessError::Plugin(PluginError::Auth(_)))), "{err:?}");
    refused.assert_done();
    assert_eq!(count(&refused, "com.atproto.server.createSession"), 1);
}

#[tokio::test]
async fn update_seen_marks_the_newest_notification_after_a_page() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        list_notifications("").respond(200, notifications(&[follow_n()], None)),
        query("app.bsky.actor.getProfiles?actors=did:plc:cat", "access-1").respond(200, profiles(&["cat"])),
        update_seen(T1),
    ]);
    let page = harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(page.items.len(), 1);
    let sent = harness.requests();
    let last = sent.last().unwrap_or_else(|| panic!("no request"));
    assert!(
        last.method == Method::Post && last.url.ends_with("/xrpc/app.bsky.notification.updateSeen"),
        "{last}"
    );
    let account = &page.items[0].account;
    assert_eq!(
        (account.handle.as_str(), account.followers, account.bio.as_str()),
        ("cat.test", Some(120), "cat bakes bread")
    );

    // Only the unread badge depends on it: a failed updateSeen does not fail the page.
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        list_notifications("").respond(200, notifications(&[follow_n()], None)),
        query("app.bsky.actor.getProfiles?actors=did:plc:cat", "access-1").respond(200, profiles(&["cat"])),
        Exchange::post(xrpc("app.bsky.notification.updateSeen"))
            .respond(500, r#"{"error":"InternalServerError","message":"Internal Server Error"}"#),
    ]);
    let page = harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn unfollow_deletes_the_follow_record_named_by_the_viewer_state() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([get_profile("did:plc:cat", json!({"following": FOLLOW_RECORD})), delete_follow()]);
    let outcome = harness
        .execute("unfollow-1", &Action::Unfollow { account_id: "did:plc:cat".into() })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(outcome, ActionOutcome { id: Some(FOLLOW_RECORD.into()), url: None });
    assert_eq!(count(&harness, "com.atproto.repo.createRecord"), 0);

    // Not following: nothing to delete.
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect(get_profile("did:plc:cat", json!({"muted": false})));
    let outcome = harness
        .execute("unfollow-2", &Action::Unfollow { account_id: "did:plc:cat".into() })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(outcome.id, None);
    assert_eq!(count(&harness, "com.atproto.repo.deleteRecord"), 0);
}

#[tokio::test]
async fn a_resent_post_is_answered_from_memory_or_found_by_its_record_key() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    let publish = conformance::sample_action(ActionKind::Publish);
    harness.expect(create_record("app.bsky.feed.post", "the post", |_| true));
    let first = harness.execute("publish-1", &publish).await.unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    let rkey: String = harness.kv_get_json("rkey:publish-1").unwrap_or_default();
    assert_eq!(rkey.len(), 13, "the record key is kept under the idempotency key: {rkey:?}");

    // A resend after a success answers from memory, without a request.
    let again = harness.execute("publish-1", &publish).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((again, harness.requests().len()), (first.clone(), 1));

    // A crash between the write and the note of its outcome: the resend finds the record.
    let resent = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    resent.kv_set("rkey:publish-1", format!("\"{rkey}\""));
    resent.expect(
        query(&format!("com.atproto.repo.getRecord?repo={ME}&collection=app.bsky.feed.post&rkey={rkey}"), "access-1")
            .respond(
                200,
                json!({"uri": format!("at://{ME}/app.bsky.feed.post/3kqnewrecord2"), "cid": "bafynew", "value": {}})
                    .to_string(),
            ),
    );
    let again = resent.execute("publish-1", &publish).await.unwrap_or_else(|e| panic!("{e}"));
    resent.assert_done();
    assert_eq!(again, first);
    assert_eq!(count(&resent, "com.atproto.repo.createRecord"), 0);
}

#[tokio::test]
async fn describe_declares_the_write_budget_as_ceilings() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    let d = harness.describe();
    assert_eq!(d.platform, "bluesky");
    assert!(!d.permits(ActionKind::AcceptFollowRequest), "Bluesky has no follow requests");
    assert_eq!(d.capabilities.len(), 7);
    for &action in &d.capabilities {
        let mut ceilings: Vec<RateCeiling> =
            d.ceilings.iter().filter(|c| c.action == action).cloned().collect();
        ceilings.sort_by_key(|c| c.window_seconds);
        let (hour, day) = if action == ActionKind::Unfollow { (714, 5_000) } else { (238, 1_666) };
        assert_eq!(
            ceilings,
            vec![
                RateCeiling { action, limit: hour, window_seconds: 3_600 },
                RateCeiling { action, limit: day, window_seconds: 86_400 },
            ],
            "{action:?}: an even share of 5,000 points an hour and 35,000 a day, 3 a create, 1 a delete"
        );
    }
    // Whatever the mix, actions at their ceilings stay within the shared budget.
    let points = |window: u32| -> u32 {
        d.ceilings
            .iter()
            .filter(|c| c.window_seconds == window)
            .map(|c| c.limit * if c.action == ActionKind::Unfollow { 1 } else { 3 })
            .sum()
    };
    assert!(points(3_600) <= 5_000 && points(86_400) <= 35_000, "{} / {}", points(3_600), points(86_400));
    assert_eq!(d.hosts, vec!["https://*:*".to_owned(), "http://*:*".to_owned()]);
    assert!(d.rules.iter().any(|r| r.contains("5,000 points an hour")));
    assert!(d.rules.iter().any(|r| r.contains("createSession")));

    // The undeclared action is refused before any request.
    let refused =
        harness.execute("accept-1", &Action::AcceptFollowRequest { account_id: "did:plc:cat".into() }).await;
    assert!(matches!(refused, Err(HarnessError::Plugin(PluginError::Denied(_)))), "{refused:?}");
    assert!(harness.requests().is_empty());
}

#[tokio::test]
async fn candidates_come_with_their_detailed_profile_post_and_known_followers() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    let mut ann = detailed("ann", json!({"knownFollowers": {"count": 3, "followers": [basic("cat")]}}));
    ann["followersCount"] = json!(57);
    harness.expect_all([
        search_posts("%23pottery", None)
            .respond(200, xrpc_page("posts", vec![post_of("ann", "3kqa2"), post_of("bob", "3kqb1")], None)),
        // Bob is not returned again (taken down, say): he keeps the view he came with.
        query("app.bsky.actor.getProfiles?actors=did:plc:ann&actors=did:plc:bob", "access-1")
            .respond(200, json!({"profiles": [ann]}).to_string()),
    ]);
    let page = harness
        .discover(&DiscoverySource::Hashtag("#pottery".into()), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(page.next_cursor, None);
    let [ann, bob] = page.items.as_slice() else { panic!("two candidates: {page:?}") };
    assert_eq!((ann.account.id.as_str(), ann.account.followers), ("did:plc:ann", Some(57)));
    assert_eq!((ann.known_followers, ann.why.as_str()), (Some(3), "posted #pottery"));
    let post = ann.post.as_ref().unwrap_or_else(|| panic!("the matching post"));
    assert_eq!(
        (post.id.as_str(), post.text.as_str()),
        (post_uri("ann", "3kqa2").as_str(), "ann's #pottery 3kqa2")
    );
    assert_eq!(post.author.followers, Some(57), "the post's author is the detailed profile");
    assert_eq!(
        (bob.account.handle.as_str(), bob.account.followers, bob.known_followers),
        ("bob.test", None, None)
    );
}

#[tokio::test]
async fn own_posts_carry_the_appview_s_counts() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    let mut item = feed_item("me", "3kqm1", None);
    item["post"]["likeCount"] = json!(5);
    item["post"]["repostCount"] = json!(2);
    item["post"]["replyCount"] = json!(1);
    item["post"]["quoteCount"] = json!(4);
    harness.expect(author_feed(ME, None).respond(200, xrpc_page("feed", vec![item], None)));
    let page = harness.own_posts(None).await.unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    let [own] = page.items.as_slice() else { panic!("one post: {page:?}") };
    let m = &own.metrics;
    assert_eq!((m.likes, m.reposts, m.replies, m.quotes, m.views), (5, 2, 1, Some(4), None));
    assert_eq!(own.post.id, post_uri("me", "3kqm1"));
}

/// A 1×1 PNG, as the PDS sniffs it.
const PNG: [u8; 70] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00,
    0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0x60, 0xf8, 0x5f, 0x0f, 0x00, 0x02,
    0x87, 0x01, 0x80, 0xeb, 0x47, 0xba, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42,
    0x60, 0x82,
];

fn publish_with(media: Vec<MediaFile>) -> Action {
    Action::Publish { text: "New mugs".into(), post_kind: PostKind::Value, media_alt: String::new(), media }
}

#[tokio::test]
async fn a_post_s_images_are_uploaded_as_blobs_and_embedded_with_their_alt_text() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("mug.png");
    std::fs::write(&path, PNG).unwrap_or_else(|e| panic!("{e}"));
    let image = MediaFile { path, mime_type: "image/png".into(), alt: "a blue mug on a shelf".into() };
    let blob =
        json!({"$type": "blob", "ref": {"$link": "bafkreimug"}, "mimeType": "image/png", "size": PNG.len()});
    let uploaded = blob.clone();
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        Exchange::post(xrpc("com.atproto.repo.uploadBlob"))
            .with_header("authorization", "Bearer access-1")
            .with_header("content-type", "image/png")
            .with_body_matching("the image's bytes", |body| body == PNG.as_slice())
            .respond(200, json!({"blob": blob}).to_string()),
        create_record("app.bsky.feed.post", "a post embedding the blob with its alt text", move |r| {
            r["text"] == "New mugs"
                && r["embed"]["$type"] == "app.bsky.embed.images"
                && r["embed"]["images"] == json!([{"alt": "a blue mug on a shelf", "image": uploaded}])
        }),
    ]);
    let post = publish_with(vec![image]);
    let outcome = harness.execute("publish-mug", &post).await.unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(outcome.id.as_deref(), Some("at://did:plc:me/app.bsky.feed.post/3kqnewrecord2"));

    // A resend after a crash before the outcome was noted finds the post: nothing is uploaded again.
    let rkey: String = harness.kv_get_json("rkey:publish-mug").unwrap_or_default();
    let resent = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    resent.kv_set("rkey:publish-mug", format!("\"{rkey}\""));
    resent.expect(
        query(
            &format!("com.atproto.repo.getRecord?repo={ME}&collection=app.bsky.feed.post&rkey={rkey}"),
            "access-1",
        )
        .respond(
            200,
            json!({"uri": "at://did:plc:me/app.bsky.feed.post/3kqnewrecord2", "value": {}}).to_string(),
        ),
    );
    let again = resent.execute("publish-mug", &post).await.unwrap_or_else(|e| panic!("{e}"));
    resent.assert_done();
    assert_eq!(again.id, outcome.id);
    assert_eq!(count(&resent, "com.atproto.repo.uploadBlob"), 0);
}

#[tokio::test]
async fn images_bluesky_would_refuse_and_direct_messages_are_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("mug.png");
    std::fs::write(&path, PNG).unwrap_or_else(|e| panic!("{e}"));
    let image = || MediaFile { path: path.clone(), mime_type: "image/png".into(), alt: "a mug".into() };
    // A new account: any request at all would be a login.
    let harness = new_account().build().await.unwrap_or_else(|e| panic!("{e}"));
    let five = harness.execute("publish-5", &publish_with((0..5).map(|_| image()).collect())).await;
    assert!(
        matches!(&five, Err(HarnessError::Plugin(PluginError::Permanent(why))) if why.contains("at most 4")),
        "{five:?}"
    );
    let message = harness.execute("message-1", &conformance::sample_action(ActionKind::Message)).await;
    assert!(
        matches!(&message, Err(HarnessError::Plugin(PluginError::Denied(why))) if why.contains("chat.bsky.convo")),
        "{message:?}"
    );
    assert!(harness.requests().is_empty(), "{:?}", harness.requests());
}
