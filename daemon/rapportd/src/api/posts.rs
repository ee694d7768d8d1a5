//! The content library requests: add, list, remove and preview posts, and the post ratio.

use std::path::{Path, PathBuf};

use rapport_core::UnixSeconds;
use rapport_core::library::{PostFile, write_post_file};
use rapport_core::task::PostKind;
use rapport_core::text_limit::TextLimit;
use rapport_protocol::{
    AccountRatio, ContentEntry, ErrorCode, ErrorReply, ItemResult, NewContentEntry, PostPreview,
    PreviewTarget,
};

use super::internal;
use crate::state::State;

/// The post ratio of one account or all.
pub fn ratio(state: &State, only: Option<&str>, now: UnixSeconds) -> Result<Vec<AccountRatio>, ErrorReply> {
    let policy = state.policy();
    let ratio = policy.gate.ratio();
    let accounts = state.accounts();
    if let Some(name) = only
        && !accounts.iter().any(|a| a.name() == name)
    {
        return Err(ErrorReply::new(
            ErrorCode::NotFound,
            format!("no account `{name}` in the configuration"),
        ));
    }
    let mut out = Vec::new();
    for account in accounts.iter().filter(|a| only.is_none_or(|n| n == a.name())) {
        let posts = policy.ratio_posts(&state.store, account.name(), now).map_err(internal)?;
        let status = ratio.status(&posts, now);
        out.push(AccountRatio {
            account: account.name().to_owned(),
            brand: policy.brand(account.name()),
            value_posts: status.value,
            sales_posts: status.sales,
            required: ratio.value_per_sales,
            value_needed: status.value_posts_needed_before_next_sales,
        });
    }
    Ok(out)
}

/// The folder `rapport post add` writes to.
fn post_folder(state: &State) -> Result<PathBuf, ErrorReply> {
    let settings = state.settings();
    let folder = settings.config.posting.folder.as_ref().ok_or_else(|| {
        ErrorReply::new(
            ErrorCode::BadRequest,
            format!(
                "no post folder: set `posting.folder` in {} to add and remove posts from the CLI",
                settings.file.display()
            ),
        )
    })?;
    Ok(settings.file.parent().unwrap_or(Path::new(".")).join(folder))
}

/// Writes a new post file, reloads the library, and answers with the library.
pub fn add(state: &State, entry: NewContentEntry) -> Result<Vec<ContentEntry>, ErrorReply> {
    if entry.text.trim().is_empty() {
        return Err(ErrorReply::new(ErrorCode::BadRequest, "a post needs text"));
    }
    let folder = post_folder(state)?;
    let policy = state.policy();
    let slug: String = entry
        .text
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .take(5)
        .collect::<Vec<_>>()
        .join("-");
    let mut id = if slug.is_empty() { "post".to_owned() } else { slug };
    let base = id.clone();
    let mut n = 1;
    while policy.library.get(&id).is_some() || folder.join(format!("{id}.md")).exists() {
        n += 1;
        id = format!("{base}-{n}");
    }
    let kind = policy.gate.ratio().label(entry.kind);
    let file = write_post_file(PostFile {
        kind_label: kind,
        accounts: &entry.accounts,
        media_alt: Some(&entry.media_alt),
        image: entry.image.as_deref(),
        text: &entry.text,
    });
    let path = folder.join(format!("{id}.md"));
    std::fs::create_dir_all(&folder)
        .and_then(|()| std::fs::write(&path, file))
        .map_err(|e| ErrorReply::new(ErrorCode::Internal, format!("writing {}: {e}", path.display())))?;
    if let Err(err) = state.reload_policy() {
        let _ = std::fs::remove_file(&path);
        return Err(ErrorReply::new(ErrorCode::BadRequest, format!("the post was not added: {err:#}")));
    }
    list(state)
}

/// Removes a post file and reloads the library; one result, for its id.
pub fn remove(state: &State, id: &str) -> Result<Vec<ItemResult>, ErrorReply> {
    let folder = post_folder(state)?;
    let policy = state.policy();
    if policy.library.get(id).is_none() {
        return Err(ErrorReply::new(
            ErrorCode::NotFound,
            format!("no library entry `{id}`; `rapport post list` lists them"),
        ));
    }
    let removed = ["md", "txt"].iter().map(|ext| folder.join(format!("{id}.{ext}"))).find(|p| p.exists());
    let Some(path) = removed else {
        return Err(ErrorReply::new(
            ErrorCode::BadRequest,
            format!("entry `{id}` is in {}; remove it there", state.settings().file.display()),
        ));
    };
    std::fs::remove_file(&path)
        .map_err(|e| ErrorReply::new(ErrorCode::Internal, format!("removing {}: {e}", path.display())))?;
    state.reload_policy().map_err(|e| ErrorReply::new(ErrorCode::Internal, format!("{e:#}")))?;
    Ok(vec![ItemResult::ok(id)])
}

/// The library's entries, each with when it was last posted to any account.
pub fn list(state: &State) -> Result<Vec<ContentEntry>, ErrorReply> {
    let policy = state.policy();
    let accounts = state.accounts();
    let mut out = Vec::new();
    for entry in policy.library.entries() {
        let mut last_posted: Option<UnixSeconds> = None;
        for account in accounts.iter() {
            if let Some(at) = state.store.last_posted(&entry.id, account.name()).map_err(internal)? {
                last_posted = Some(last_posted.map_or(at, |l| l.max(at)));
            }
        }
        out.push(ContentEntry {
            id: entry.id.clone(),
            text: entry.text.clone(),
            kind: entry.kind,
            accounts: entry.accounts.clone(),
            image: entry.image.clone(),
            last_posted,
        });
    }
    Ok(out)
}

/// How a post would go out: its length, and what the platforms it targets and the ratio say.
pub fn preview(state: &State, target: PreviewTarget, now: UnixSeconds) -> Result<PostPreview, ErrorReply> {
    let policy = state.policy();
    let (text, kind, only) = match target {
        PreviewTarget::Entry { id } => {
            let entry = policy
                .library
                .get(&id)
                .ok_or_else(|| ErrorReply::new(ErrorCode::NotFound, format!("no library entry `{id}`")))?;
            (entry.text.clone(), entry.kind, entry.accounts.clone())
        }
        PreviewTarget::Text { text, kind } => (text, kind, Vec::new()),
    };
    let accounts = state.accounts();
    let targets: Vec<_> =
        accounts.iter().filter(|a| only.is_empty() || only.iter().any(|n| n == a.name())).collect();
    let mut warnings = Vec::new();
    if text.trim().is_empty() {
        warnings.push("the text is empty".to_owned());
    }
    // One warning per platform, naming the accounts it would be refused on.
    let mut platforms: Vec<&str> = targets.iter().map(|a| a.description().platform.as_str()).collect();
    platforms.sort_unstable();
    platforms.dedup();
    for platform in platforms {
        let Some(excess) = TextLimit::of(platform).and_then(|limit| limit.excess(&text)) else { continue };
        let on: Vec<&str> =
            targets.iter().filter(|a| a.description().platform == platform).map(|a| a.name()).collect();
        warnings.push(format!("{excess} (account {})", on.join(", ")));
    }
    if kind == PostKind::Sales {
        for account in &targets {
            let posts = policy.ratio_posts(&state.store, account.name(), now).map_err(internal)?;
            if let Some(reason) = policy.gate.ratio().hold_reason(&policy.gate.ratio().status(&posts, now)) {
                warnings.push(format!("{}: {reason}", account.name()));
            }
        }
    }
    let length = text.chars().count();
    Ok(PostPreview { text, length: u32::try_from(length).unwrap_or(u32::MAX), warnings })
}
