//! The follow graph through the sandbox: any account's followers and followings, and
//! relationships for many ids at once with requests, blocks and mutes.

use rapport_tests::sandbox::{Seed, SeedAccount};
use serde_json::Value;

use super::{demo, fetch, ids, link_to, post, start};

fn accts(accounts: &Value) -> Vec<String> {
    accounts.as_array().into_iter().flatten().filter_map(|a| a["acct"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn any_account_has_followers_and_followings() {
    let sandbox = demo().await;
    let mira = sandbox.account_id("mira@potters.example").unwrap_or_default();
    let ana = sandbox.account_id("ana@ceramics.example").unwrap_or_default();
    let (status, _, followers) = fetch(&sandbox, &format!("/api/v1/accounts/{mira}/followers")).await;
    assert_eq!(status, 200);
    assert_eq!(accts(&followers), ["hana@studio.example", "ana@ceramics.example"], "the newest follow first");
    let (_, _, following) = fetch(&sandbox, &format!("/api/v1/accounts/{ana}/following")).await;
    assert_eq!(
        accts(&following),
        ["clay_collective@ceramics.example", "mira@potters.example", "kiln"],
        "her follow of the shop comes from the seed's follower event"
    );

    let (_, link, first) = fetch(&sandbox, &format!("/api/v1/accounts/{ana}/following?limit=2")).await;
    assert_eq!(ids(&first).len(), 2);
    let next = link_to(&sandbox, &link, "next").unwrap_or_default();
    assert!(next.starts_with(&format!("/api/v1/accounts/{ana}/following?limit=2&max_id=")), "{link}");
    assert_eq!(accts(&fetch(&sandbox, &next).await.2), ["kiln"]);

    assert_eq!(
        post(&sandbox, &format!("/api/v1/accounts/{mira}/follow"), "f", &[]).await.status().as_u16(),
        200
    );
    let (_, _, now) = fetch(&sandbox, &format!("/api/v1/accounts/{mira}/followers")).await;
    assert_eq!(
        accts(&now).first().map(String::as_str),
        Some("kiln"),
        "a follow through the API shows at once"
    );
    let (_, _, own) = fetch(&sandbox, "/api/v1/accounts/1/following").await;
    assert_eq!(accts(&own), ["mira@potters.example", "hana@studio.example", "ana@ceramics.example"]);

    for list in ["followers", "following"] {
        let (status, _, body) = fetch(&sandbox, &format!("/api/v1/accounts/999/{list}")).await;
        assert_eq!((status, body["error"].as_str()), (404, Some("Record not found")));
    }
}

#[tokio::test]
async fn relationships_answer_many_ids_in_order() {
    let many = 120;
    let seed = (0..many).fold(Seed::new("sandbox-token"), |seed, i| {
        let acct = format!("p{i}@many.example");
        let seed = seed.account(SeedAccount::new(&acct, format!("P {i}")));
        if i % 3 == 0 { seed.following(&acct) } else { seed }
    });
    let seed = seed.follows("p1@many.example", "me");
    let sandbox = start(seed).await;
    let wanted: Vec<String> =
        (0..many).filter_map(|i| sandbox.account_id(&format!("p{i}@many.example"))).collect();
    let mut query: Vec<String> = wanted.iter().rev().map(|id| format!("id[]={id}")).collect();
    query.push("id[]=99999".to_owned());
    query.push(format!("id[]={}", wanted[0]));
    let (status, _, rels) =
        fetch(&sandbox, &format!("/api/v1/accounts/relationships?{}", query.join("&"))).await;
    assert_eq!(status, 200);
    let expected: Vec<String> = wanted.iter().rev().cloned().collect();
    assert_eq!(ids(&rels), expected, "every known id once, in the order asked");
    let following = rels.as_array().into_iter().flatten().filter(|r| r["following"] == true).count();
    assert_eq!(following, 40);
    let p1 =
        rels.as_array().into_iter().flatten().find(|r| r["id"].as_str() == wanted.get(1).map(String::as_str));
    assert_eq!(
        p1.map(|r| (r["followed_by"].clone(), r["following"].clone())),
        Some((Value::Bool(true), Value::Bool(false)))
    );
}

#[tokio::test]
async fn relationships_report_requests_blocks_and_mutes() {
    let seed = Seed::new("sandbox-token")
        .account(SeedAccount::new("private@locked.example", "Private").locked(true))
        .account(SeedAccount::new("later@locked.example", "Later").locked(true))
        .account(SeedAccount::new("troll@bad.example", "Troll"))
        .account(SeedAccount::new("loud@noisy.example", "Loud"))
        .requested("private@locked.example")
        .blocking("troll@bad.example")
        .muting("loud@noisy.example");
    let sandbox = start(seed).await;
    let id = |acct: &str| sandbox.account_id(acct).unwrap_or_default();
    let (private, later, troll, loud) = (
        id("private@locked.example"),
        id("later@locked.example"),
        id("troll@bad.example"),
        id("loud@noisy.example"),
    );
    let path = format!("/api/v1/accounts/relationships?id[]={private}&id[]={later}&id[]={troll}&id[]={loud}");
    let (_, _, rels) = fetch(&sandbox, &path).await;
    let flag = |i: usize, name: &str| rels[i][name].as_bool();
    assert_eq!((flag(0, "requested"), flag(0, "following")), (Some(true), Some(false)));
    assert_eq!(
        (flag(1, "requested"), flag(2, "blocking"), flag(3, "muting")),
        (Some(false), Some(true), Some(true))
    );
    assert_eq!(
        (flag(2, "muting"), flag(3, "blocking"), flag(3, "muting_notifications")),
        (Some(false), Some(false), Some(true))
    );
    let account = fetch(&sandbox, &format!("/api/v1/accounts/{later}")).await.2;
    assert_eq!(account["locked"], true);

    // Following a locked account asks; unfollowing withdraws the request.
    let asked =
        super::json(post(&sandbox, &format!("/api/v1/accounts/{later}/follow"), "a", &[]).await).await;
    assert_eq!((asked["requested"].as_bool(), asked["following"].as_bool()), (Some(true), Some(false)));
    let withdrawn =
        super::json(post(&sandbox, &format!("/api/v1/accounts/{later}/unfollow"), "b", &[]).await).await;
    assert_eq!(withdrawn["requested"], false);
    // A blocked account cannot be followed, as in Mastodon's FollowService.
    let refused = post(&sandbox, &format!("/api/v1/accounts/{troll}/follow"), "c", &[]).await;
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(super::json(refused).await["error"], "This action is not allowed");
}
