//! Reply payloads and the [`Response`] variant each travels as.
//!
//! [`Reply`] is the link between a request's typed reply ([`crate::Call::Reply`]) and the wire
//! enum: the daemon turns its typed answer into a [`Response`], the client turns the
//! [`Response`] it reads back into the type its request names, or learns it got another.

use rapport_core::task::Task;

use crate::{
    AccountRatio, CampaignDetail, CampaignReport, CircleReport, ContentEntry, Forgotten, ItemResult,
    KeepChange, KeepList, PersonDetail, PersonSummary, PostPreview, Response, ScheduleReport, Slot,
    StatusReport, TaskHistoryLine,
};

/// A payload that travels as a [`Response`] variant.
pub trait Reply: Sized {
    /// The response that carries it.
    fn into_response(self) -> Response;

    /// The payload a response carries, or the response back when it carries another.
    fn from_response(response: Response) -> Result<Self, Response>;
}

/// Implements [`Reply`] for payloads that travel as exactly one variant.
macro_rules! one_variant {
    ($( $payload:ty => $variant:ident ),* $(,)?) => {
        $(
            impl Reply for $payload {
                fn into_response(self) -> Response {
                    Response::$variant(self)
                }

                fn from_response(response: Response) -> Result<Self, Response> {
                    match response {
                        Response::$variant(payload) => Ok(payload),
                        other => Err(other),
                    }
                }
            }
        )*
    };
}

one_variant! {
    StatusReport => Status,
    Vec<Task> => Tasks,
    Vec<ItemResult> => Updated,
    Vec<AccountRatio> => Ratio,
    Vec<ContentEntry> => Posts,
    PostPreview => Preview,
    Vec<CampaignReport> => Campaigns,
    Vec<CircleReport> => Circles,
    KeepList => KeepList,
    KeepChange => KeepChanged,
    Vec<PersonSummary> => People,
    Vec<PersonDetail> => Person,
    Vec<TaskHistoryLine> => HistoryLines,
    Vec<Forgotten> => Forgotten,
    Vec<rapport_core::report::Report> => Reports,
}

/// Implements [`Reply`] for payloads that travel boxed as exactly one variant: they are far
/// larger than the other replies, and every response would otherwise be as large as they are.
macro_rules! boxed_variant {
    ($( $payload:ty => $variant:ident ),* $(,)?) => {
        $(
            impl Reply for $payload {
                fn into_response(self) -> Response {
                    Response::$variant(Box::new(self))
                }

                fn from_response(response: Response) -> Result<Self, Response> {
                    match response {
                        Response::$variant(payload) => Ok(*payload),
                        other => Err(other),
                    }
                }
            }
        )*
    };
}

boxed_variant! {
    Task => Task,
    CampaignDetail => Campaign,
    CampaignReport => CampaignChanged,
    CircleReport => Circle,
    PersonSummary => PersonChanged,
}

/// The answer to a schedule request: the report, or for a client from before the report, the
/// slots alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleAnswer {
    /// The coming slots and the missed ones.
    Report(ScheduleReport),
    /// The coming slots only.
    Slots(Vec<Slot>),
}

impl Reply for ScheduleAnswer {
    fn into_response(self) -> Response {
        match self {
            ScheduleAnswer::Report(report) => Response::Schedule(report),
            ScheduleAnswer::Slots(slots) => Response::Slots(slots),
        }
    }

    fn from_response(response: Response) -> Result<Self, Response> {
        match response {
            Response::Schedule(report) => Ok(ScheduleAnswer::Report(report)),
            Response::Slots(slots) => Ok(ScheduleAnswer::Slots(slots)),
            other => Err(other),
        }
    }
}

impl Response {
    /// The variant's name on the wire, for messages about a reply nobody expected.
    pub fn name(&self) -> &'static str {
        match self {
            Response::Status(_) => "status",
            Response::Tasks(_) => "tasks",
            Response::Task(_) => "task",
            Response::Updated(_) => "updated",
            Response::Ratio(_) => "ratio",
            Response::Slots(_) => "slots",
            Response::Schedule(_) => "schedule",
            Response::Posts(_) => "posts",
            Response::Preview(_) => "preview",
            Response::Campaigns(_) => "campaigns",
            Response::Campaign(_) => "campaign",
            Response::CampaignChanged(_) => "campaign-changed",
            Response::Circles(_) => "circles",
            Response::Circle(_) => "circle",
            Response::KeepList(_) => "keep-list",
            Response::KeepChanged(_) => "keep-changed",
            Response::People(_) => "people",
            Response::Person(_) => "person",
            Response::PersonChanged(_) => "person-changed",
            Response::HistoryLines(_) => "history-lines",
            Response::Forgotten(_) => "forgotten",
            Response::Reports(_) => "reports",
            Response::Error(_) => "error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_wire() {
        let replies = [
            Response::Updated(Vec::new()),
            Response::Slots(Vec::new()),
            Response::Posts(Vec::new()),
            Response::Ratio(Vec::new()),
            Response::Tasks(Vec::new()),
            Response::Campaigns(Vec::new()),
            Response::Circles(Vec::new()),
            Response::KeepList(KeepList { account: "shop".into(), people: Vec::new() }),
        ];
        for response in replies {
            let wire = serde_json::to_value(&response).unwrap();
            assert_eq!(wire["response"], response.name());
        }
    }

    #[test]
    fn a_reply_of_another_type_is_handed_back() {
        let posts = Response::Posts(Vec::new());
        assert_eq!(Vec::<ItemResult>::from_response(posts.clone()), Err(posts));
        let slots = ScheduleAnswer::from_response(Response::Slots(Vec::new()));
        assert_eq!(slots, Ok(ScheduleAnswer::Slots(Vec::new())));
    }
}
