//! Packed binary values for the two record kinds a report reads by the hundred thousand: an
//! interaction and a metric reading.
//!
//! Every other value in the store is JSON, so a person can read a dump; these two are not,
//! because decoding JSON was most of the time of a report over a year (3 µs an interaction).
//! The layout is fixed-width integers (big-endian) and length-prefixed UTF-8, behind a version
//! byte so that a later layout can be told from this one.
//!
//! Values are also kept many to a record — an hour of an account's interactions, all the
//! readings of one post — because sled's iterator costs microseconds an entry whatever the
//! value: a list is framed values, each behind its length.

use rapport_core::history::{Direction, Interaction, InteractionKind, InteractionSource, MetricReading};
use rapport_core::reads::PostMetrics;
use rapport_core::task::TaskId;

use crate::StoreError;

/// The layout's version, the first byte of every packed value.
const VERSION: u8 = 1;

/// The stable one-byte code of an interaction kind.
fn kind_code(kind: InteractionKind) -> u8 {
    match kind {
        InteractionKind::Followed => 1,
        InteractionKind::FollowedBack => 2,
        InteractionKind::Unfollowed => 3,
        InteractionKind::Liked => 4,
        InteractionKind::Reposted => 5,
        InteractionKind::Replied => 6,
        InteractionKind::Mentioned => 7,
        InteractionKind::Quoted => 8,
        InteractionKind::Messaged => 9,
    }
}

/// The kind a code stands for.
fn kind_of(code: u8) -> Option<InteractionKind> {
    use InteractionKind::*;
    [Followed, FollowedBack, Unfollowed, Liked, Reposted, Replied, Mentioned, Quoted, Messaged]
        .into_iter()
        .find(|k| kind_code(*k) == code)
}

/// Appends a length-prefixed string.
fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// An interaction, packed.
pub(crate) fn interaction(i: &Interaction) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + i.person.len() + i.handle.len());
    out.push(VERSION);
    out.extend_from_slice(&i.at.to_be_bytes());
    out.push(match i.direction {
        Direction::Theirs => 0,
        Direction::Ours => 1,
    });
    out.push(kind_code(i.kind));
    match &i.source {
        InteractionSource::Notification(id) => {
            out.push(b'n');
            put_str(&mut out, id);
        }
        InteractionSource::Task(id) => {
            out.push(b't');
            out.extend_from_slice(&id.0.to_be_bytes());
        }
    }
    put_str(&mut out, &i.person);
    put_str(&mut out, &i.handle);
    match &i.campaign {
        Some(campaign) => {
            out.push(1);
            put_str(&mut out, campaign);
        }
        None => out.push(0),
    }
    out
}

/// Reads packed values front to back, failing on a short or malformed one.
struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], what: &'static str) -> Result<Reader<'a>, StoreError> {
        let mut reader = Reader { bytes, what };
        match reader.byte()? {
            VERSION => Ok(reader),
            other => Err(reader.damaged(&format!("layout version {other}"))),
        }
    }

    fn damaged(&self, why: &str) -> StoreError {
        StoreError::Corrupt(format!("a packed {} is damaged: {why}", self.what))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        if self.bytes.len() < n {
            return Err(self.damaged("it ends early"));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, StoreError> {
        Ok(self.take(1)?[0])
    }

    fn u64(&mut self) -> Result<u64, StoreError> {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(self.take(8)?);
        Ok(u64::from_be_bytes(raw))
    }

    fn string(&mut self) -> Result<String, StoreError> {
        let mut raw = [0u8; 4];
        raw.copy_from_slice(self.take(4)?);
        let bytes = self.take(u32::from_be_bytes(raw) as usize)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| self.damaged("a string is not UTF-8"))
    }

    /// An optional u64: a flag byte, then the value when set.
    fn option(&mut self) -> Result<Option<u64>, StoreError> {
        match self.byte()? {
            0 => Ok(None),
            _ => Ok(Some(self.u64()?)),
        }
    }
}

/// Unpacks an interaction.
pub(crate) fn unpack_interaction(bytes: &[u8]) -> Result<Interaction, StoreError> {
    let mut r = Reader::new(bytes, "interaction")?;
    let at = r.u64()? as i64;
    let direction = match r.byte()? {
        0 => Direction::Theirs,
        1 => Direction::Ours,
        other => return Err(r.damaged(&format!("direction {other}"))),
    };
    let code = r.byte()?;
    let kind = kind_of(code).ok_or_else(|| r.damaged(&format!("kind {code}")))?;
    let source = match r.byte()? {
        b'n' => InteractionSource::Notification(r.string()?),
        b't' => InteractionSource::Task(TaskId(r.u64()?)),
        other => return Err(r.damaged(&format!("source tag {other}"))),
    };
    let person = r.string()?;
    let handle = r.string()?;
    let campaign = match r.byte()? {
        0 => None,
        _ => Some(r.string()?),
    };
    Ok(Interaction { at, person, handle, direction, kind, source, campaign })
}

/// Appends an optional u64.
fn put_option(out: &mut Vec<u8>, value: Option<u64>) {
    match value {
        Some(v) => {
            out.push(1);
            out.extend_from_slice(&v.to_be_bytes());
        }
        None => out.push(0),
    }
}

/// A metric reading, packed.
pub(crate) fn reading(r: &MetricReading) -> Vec<u8> {
    let mut out = Vec::with_capacity(52);
    out.push(VERSION);
    out.extend_from_slice(&r.at.to_be_bytes());
    for n in [r.metrics.likes, r.metrics.reposts, r.metrics.replies] {
        out.extend_from_slice(&n.to_be_bytes());
    }
    put_option(&mut out, r.metrics.quotes);
    put_option(&mut out, r.metrics.views);
    out
}

/// Unpacks a metric reading.
pub(crate) fn unpack_reading(bytes: &[u8]) -> Result<MetricReading, StoreError> {
    let mut r = Reader::new(bytes, "metric reading")?;
    let at = r.u64()? as i64;
    let metrics = PostMetrics {
        likes: r.u64()?,
        reposts: r.u64()?,
        replies: r.u64()?,
        quotes: r.option()?,
        views: r.option()?,
    };
    Ok(MetricReading { at, metrics })
}

/// Appends one packed value to a framed list.
pub(crate) fn push_framed(list: &mut Vec<u8>, value: &[u8]) {
    list.extend_from_slice(&(value.len() as u32).to_be_bytes());
    list.extend_from_slice(value);
}

/// The packed values of a framed list, front to back, failing on a damaged frame.
pub(crate) fn framed<'a>(
    list: &'a [u8],
    what: &'static str,
) -> impl Iterator<Item = Result<&'a [u8], StoreError>> + 'a {
    let mut rest = list;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut reader = Reader { bytes: rest, what };
        let frame = reader.take(4).and_then(|len| {
            let mut raw = [0u8; 4];
            raw.copy_from_slice(len);
            reader.take(u32::from_be_bytes(raw) as usize)
        });
        // A damaged frame ends the list: nothing after it can be found.
        rest = if frame.is_ok() { reader.bytes } else { &[] };
        Some(frame)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interactions_and_readings_round_trip_and_damage_is_named() {
        let all = [
            Interaction {
                at: -5,
                person: "42".into(),
                handle: "ann@garden.social".into(),
                direction: Direction::Theirs,
                kind: InteractionKind::Quoted,
                source: InteractionSource::Notification("n-ü".into()),
                campaign: None,
            },
            Interaction {
                at: 1_800_000_000,
                person: "did:plc:x".into(),
                handle: String::new(),
                direction: Direction::Ours,
                kind: InteractionKind::Followed,
                source: InteractionSource::Task(TaskId(9)),
                campaign: Some("potters".into()),
            },
        ];
        for i in &all {
            assert_eq!(&unpack_interaction(&interaction(i)).unwrap(), i);
        }
        let r = MetricReading {
            at: 7,
            metrics: PostMetrics { likes: 3, reposts: 2, replies: 1, quotes: None, views: Some(90) },
        };
        assert_eq!(unpack_reading(&reading(&r)).unwrap(), r);
        let packed = interaction(&all[1]);
        let err = unpack_interaction(&packed[..packed.len() - 2]).unwrap_err();
        assert!(err.to_string().contains("a packed interaction is damaged: it ends early"), "{err}");
        assert!(unpack_reading(b"{\"at\":1}").is_err(), "JSON is not the packed layout");
    }

    #[test]
    fn a_framed_list_gives_back_its_values_and_names_a_cut_frame() {
        let mut list = Vec::new();
        for value in [&b"one"[..], b"", b"three"] {
            push_framed(&mut list, value);
        }
        let values: Vec<&[u8]> = framed(&list, "reading").collect::<Result<_, _>>().unwrap();
        assert_eq!(values, [&b"one"[..], b"", b"three"]);
        let cut: Vec<_> = framed(&list[..list.len() - 1], "reading").collect();
        assert_eq!(cut.len(), 3);
        let err = cut[2].as_ref().unwrap_err();
        assert!(err.to_string().contains("a packed reading is damaged: it ends early"), "{err}");
    }

    #[test]
    fn every_kind_has_its_own_code() {
        use InteractionKind::*;
        for kind in
            [Followed, FollowedBack, Unfollowed, Liked, Reposted, Replied, Mentioned, Quoted, Messaged]
        {
            assert_eq!(kind_of(kind_code(kind)), Some(kind));
        }
    }
}
