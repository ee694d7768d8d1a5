//! [`Seed::demo`]: the pottery shop the README demo and the sandbox's own tests start from.

use super::seed::{SEED_EPOCH, Seed, SeedAccount, SeedPost, SuggestionSource};

impl Seed {
    /// A small shop's account with a few realistic followers — three genuine, one spammy — two
    /// question mentions, a thank-you, and one follow request; token `sandbox-token`. For
    /// discovery it also has potters posting under #pottery and #ceramics (one of them unlisted,
    /// so kept out of the tag timeline), three follow suggestions, a "Potters" list, who follows
    /// whom among them, and the shop's own recent posts with their favourites, reblogs and replies.
    pub fn demo() -> Self {
        let year = 365 * 86_400;
        Seed::new("sandbox-token")
            .own(
                SeedAccount::new("kiln", "Kiln & Glaze Pottery")
                    .note("Small-batch stoneware from Leeds. Studio updates, firing logs, shop news.")
                    .counts(860, 310, 1_240),
            )
            .account(
                SeedAccount::new("ana@ceramics.example", "Ana Ribeiro")
                    .note("Potter and glaze nerd. Teaching wheel classes in Porto.")
                    .counts(1_480, 620, 3_900)
                    .created_at(SEED_EPOCH - 4 * year),
            )
            .account(
                SeedAccount::new("tomasz@fosstodon.example", "Tomasz")
                    .note("Backend dev by day, hobby woodworker by night. he/him")
                    .counts(310, 280, 1_020)
                    .created_at(SEED_EPOCH - 2 * year),
            )
            .account(
                SeedAccount::new("maker_lou", "Lou Martin")
                    .note("Makes things out of clay, sometimes on purpose.")
                    .counts(95, 140, 260),
            )
            .account(
                SeedAccount::new("growth_guru_8812@spam.example", "💰 FOLLOWERS FAST 💰")
                    .note("Get 10k followers in 24h!!! DM for promo. Crypto. Giveaways.")
                    .counts(3, 7_400, 12)
                    .created_at(SEED_EPOCH - 2 * 86_400)
                    .avatar(false),
            )
            .account(
                SeedAccount::new("jo@mastodon.example", "Jo Okafor")
                    .note("Collector of mugs. Too many mugs.")
                    .counts(210, 190, 800)
                    .created_at(SEED_EPOCH - 3 * year),
            )
            .following("ana@ceramics.example")
            .follower("ana@ceramics.example")
            .follower("tomasz@fosstodon.example")
            .follower("growth_guru_8812@spam.example")
            .follower("maker_lou")
            .mention(
                "jo@mastodon.example",
                "Do you ship your mugs to Germany, and roughly how long does it take?",
            )
            .mention("maker_lou", "Loved the firing log! Which cone do you fire the speckled glaze to?")
            .mention("tomasz@fosstodon.example", "Thanks for the follow-up on my order, it arrived safely.")
            .follow_request("jo@mastodon.example")
            .account(
                SeedAccount::new("hana@studio.example", "Hana Kim")
                    .note("Glaze chemistry, test tiles, and the occasional kiln disaster.")
                    .counts(2_300, 410, 5_100)
                    .created_at(SEED_EPOCH - 5 * year),
            )
            .account(
                SeedAccount::new("mira@potters.example", "Mira Sato")
                    .note("Wood-fired pottery in the hills. Workshops every spring.")
                    .counts(940, 300, 2_200)
                    .created_at(SEED_EPOCH - 3 * year),
            )
            .account(
                SeedAccount::new("clay_collective@ceramics.example", "The Clay Collective")
                    .note("A shared studio for ceramicists. Open days, kiln shares, classes.")
                    .counts(5_200, 800, 3_300)
                    .created_at(SEED_EPOCH - 6 * year),
            )
            .account(
                SeedAccount::new("ben_throws", "Ben Adeyemi")
                    .note("Learning to throw. Bowls mostly, some of them round.")
                    .counts(60, 90, 75)
                    .created_at(SEED_EPOCH - 90 * 86_400),
            )
            .following("hana@studio.example")
            .follows("ana@ceramics.example", "mira@potters.example")
            .follows("hana@studio.example", "mira@potters.example")
            .follows("ana@ceramics.example", "clay_collective@ceramics.example")
            .follows("mira@potters.example", "ana@ceramics.example")
            .follows("ben_throws", "clay_collective@ceramics.example")
            .follows("maker_lou", "clay_collective@ceramics.example")
            .post("ana@ceramics.example", "New celadon test tiles out of the kiln today. #pottery #glaze", 3)
            .post(
                "mira@potters.example",
                "Unloading the anagama after four days of firing. #Ceramics #woodfired",
                6,
            )
            .post("hana@studio.example", "Why your tenmoku runs: a thread on iron and flux. #ceramics", 9)
            .post(
                "clay_collective@ceramics.example",
                "Open studio this Saturday, bring your own clay! #pottery",
                20,
            )
            .post("ben_throws", "My first bowl that did not collapse on the wheel. #pottery", 30)
            .post("tomasz@fosstodon.example", "Finished the walnut side table this weekend. #woodworking", 12)
            .with_post(
                SeedPost::new("mira@potters.example", "Members-only kiln share dates. #pottery", 15)
                    .visibility("unlisted"),
            )
            .with_post(
                SeedPost::new(
                    "kiln",
                    "Firing log: cone 6 oxidation, 9 hours, speckled glaze came out lovely.",
                    50,
                )
                .engagement(14, 3, 2),
            )
            .with_post(
                SeedPost::new(
                    "kiln",
                    "New speckled mugs are in the shop, 12 of them this batch. #pottery",
                    26,
                )
                .engagement(8, 1, 0),
            )
            .with_post(
                SeedPost::new(
                    "kiln",
                    "Studio tip: wedge your reclaim twice as long as you think. #ceramics",
                    5,
                )
                .engagement(3, 0, 1),
            )
            .suggestion("mira@potters.example", &[SuggestionSource::FriendsOfFriends])
            .suggestion("clay_collective@ceramics.example", &[SuggestionSource::MostFollowed])
            .suggestion("ben_throws", &[SuggestionSource::SimilarToRecentlyFollowed])
            .list("Potters", &["ana@ceramics.example", "hana@studio.example"])
            .six_weeks_of_posts()
    }

    /// The shop's posts over the six weeks before the start, two or three a week, each with the
    /// favourites and reblogs of the people around it (40 and 8: their notifications fill the
    /// book and give the report weeks to chart, and all 56 of the demo's notifications fit in one
    /// page of Mastodon's largest, 80).
    fn six_weeks_of_posts(self) -> Self {
        const FANS: [&str; 8] = [
            "ana@ceramics.example",
            "maker_lou",
            "jo@mastodon.example",
            "hana@studio.example",
            "tomasz@fosstodon.example",
            "mira@potters.example",
            "ben_throws",
            "clay_collective@ceramics.example",
        ];
        const POSTS: [&str; 16] = [
            "Bisque firing tonight: 48 pots, fingers crossed.",
            "How we mix our speckled glaze, step by step.",
            "Trimming day. The studio cat supervised.",
            "Ash glaze test tiles: which one would you pick?",
            "The spring mug collection is in the shop now.",
            "A thread on why pots crack in the drying.",
            "Throwing a set of six bowls, start to finish.",
            "Kiln repair: new elements, same old kiln.",
            "What cone 6 looks like through the spyhole.",
            "Our favourite tools, and the ones we never use.",
            "Wedging reclaim: the boring bit that matters.",
            "Open studio next Saturday: come say hello.",
            "Glaze fail of the week, with what went wrong.",
            "Mugs, plates and a teapot: seconds sale in the shop.",
            "How long a mug takes, from clay to shelf.",
            "Thank you for 800 followers: a studio tour.",
        ];
        let mut seed = self;
        for (i, text) in POSTS.iter().enumerate() {
            // Newest last, about every 60 hours, the newest six days before the start.
            let hours_ago = 144 + (POSTS.len() - 1 - i) as u32 * 60;
            let likes: Vec<&str> = FANS.iter().copied().cycle().skip(i).take(1 + (i * 3) % 4).collect();
            let reblogs: Vec<&str> = FANS.iter().copied().cycle().skip(i + 3).take(i % 2).collect();
            let post = SeedPost::new("kiln", text, hours_ago).liked_by(&likes).reblogged_by(&reblogs);
            seed = seed.with_post(post.engagement(0, 0, (i % 4) as u64));
        }
        seed
    }
}
