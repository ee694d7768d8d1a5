//! Answers the CLI's requests from the daemon's state: the one place protocol messages meet the
//! store, the policy and the accounts.
//!
//! [`Api`] implements the protocol's [`Serve`], one method per request, each returning the reply
//! type its request names; the work lives in one module per area (tasks, posts, schedule,
//! status, relations).

mod book;
mod posts;
mod relations;
mod report;
mod schedule;
mod status;
mod tasks;

use rapport_core::UnixSeconds;
use rapport_protocol::requests::{
    Approve, ApproveCampaign, CampaignList, CampaignShow, CircleList, CircleShow, Forget, KeepAdd,
    KeepRemove, KeepShow, MarkDone, People, Person, PersonNote, PersonTag, PostAdd, PostList, PostPreview,
    PostRemove, Queue, Ratio, Reject, Resend, Retry, Schedule, SetCampaignPaused, SetCircleMember, Show,
    Status, TaskHistory, Undo,
};
use rapport_protocol::{
    AccountRatio, Call, CampaignDetail, CampaignReport, CircleReport, ContentEntry, ErrorCode, ErrorReply,
    Forgotten, ItemResult, KeepChange, KeepList, PersonDetail, PersonSummary, Request, Response,
    ScheduleAnswer, Serve, StatusReport, TaskHistoryLine,
};
use rapport_store::StoreError;

use crate::state::State;

/// Answers one request as it came off the socket.
pub fn handle(state: &State, request: Request) -> Response {
    request.serve(&Api::new(state))
}

/// Answers one typed request: what [`handle`] does, with the reply's own type.
pub fn answer<C: Call>(state: &State, request: C) -> Result<C::Reply, ErrorReply> {
    request.serve(&Api::new(state))
}

/// The daemon's state at the moment one request is answered.
struct Api<'a> {
    state: &'a State,
    now: UnixSeconds,
}

impl<'a> Api<'a> {
    fn new(state: &'a State) -> Api<'a> {
        Api { state, now: state.now() }
    }
}

impl Serve for Api<'_> {
    fn status(&self, _: Status) -> Result<StatusReport, ErrorReply> {
        status::report(self.state, self.now)
    }

    fn queue(&self, request: Queue) -> Result<Vec<rapport_core::task::Task>, ErrorReply> {
        tasks::page(self.state, request)
    }

    fn show(&self, request: Show) -> Result<rapport_core::task::Task, ErrorReply> {
        tasks::show(self.state, request.id)
    }

    fn approve(&self, request: Approve) -> Result<Vec<ItemResult>, ErrorReply> {
        tasks::approve(self.state, request, self.now)
    }

    fn reject(&self, request: Reject) -> Result<Vec<ItemResult>, ErrorReply> {
        tasks::reject(self.state, request, self.now)
    }

    fn undo(&self, request: Undo) -> Result<Vec<ItemResult>, ErrorReply> {
        tasks::undo(self.state, request.id, self.now)
    }

    fn resend(&self, request: Resend) -> Result<Vec<ItemResult>, ErrorReply> {
        tasks::resend(self.state, request.id, self.now)
    }

    fn retry(&self, request: Retry) -> Result<Vec<ItemResult>, ErrorReply> {
        tasks::retry(self.state, request.ids, self.now)
    }

    fn mark_done(&self, request: MarkDone) -> Result<Vec<ItemResult>, ErrorReply> {
        tasks::mark_done(self.state, request.id, self.now)
    }

    fn ratio(&self, request: Ratio) -> Result<Vec<AccountRatio>, ErrorReply> {
        posts::ratio(self.state, request.account.as_deref(), self.now)
    }

    fn schedule(&self, request: Schedule) -> Result<ScheduleAnswer, ErrorReply> {
        schedule::answer(self.state, request, self.now)
    }

    fn post_add(&self, request: PostAdd) -> Result<Vec<ContentEntry>, ErrorReply> {
        posts::add(self.state, request.entry)
    }

    fn post_list(&self, _: PostList) -> Result<Vec<ContentEntry>, ErrorReply> {
        posts::list(self.state)
    }

    fn post_remove(&self, request: PostRemove) -> Result<Vec<ItemResult>, ErrorReply> {
        posts::remove(self.state, &request.id)
    }

    fn post_preview(&self, request: PostPreview) -> Result<rapport_protocol::PostPreview, ErrorReply> {
        posts::preview(self.state, request.target, self.now)
    }

    fn approve_campaign(&self, request: ApproveCampaign) -> Result<Vec<ItemResult>, ErrorReply> {
        relations::approve_campaign(self.state, &request.name, self.now)
    }

    fn campaign_list(&self, _: CampaignList) -> Result<Vec<CampaignReport>, ErrorReply> {
        relations::campaigns(self.state)
    }

    fn campaign_show(&self, request: CampaignShow) -> Result<CampaignDetail, ErrorReply> {
        relations::campaign(self.state, &request.name)
    }

    fn set_campaign_paused(&self, request: SetCampaignPaused) -> Result<CampaignReport, ErrorReply> {
        relations::set_paused(self.state, &request.name, request.paused)
    }

    fn circle_list(&self, _: CircleList) -> Result<Vec<CircleReport>, ErrorReply> {
        relations::circles(self.state)
    }

    fn circle_show(&self, request: CircleShow) -> Result<CircleReport, ErrorReply> {
        relations::circle(self.state, &request.name)
    }

    fn set_circle_member(&self, request: SetCircleMember) -> Result<CircleReport, ErrorReply> {
        relations::set_member(self.state, &request.name, &request.member, request.add)
    }

    fn keep_show(&self, request: KeepShow) -> Result<KeepList, ErrorReply> {
        relations::keep_list(self.state, request.account.as_deref())
    }

    fn keep_add(&self, request: KeepAdd) -> Result<KeepChange, ErrorReply> {
        relations::keep_add(self.state, request.account.as_deref(), &request.who)
    }

    fn keep_remove(&self, request: KeepRemove) -> Result<KeepChange, ErrorReply> {
        relations::keep_remove(self.state, request.account.as_deref(), &request.who)
    }

    fn people(&self, request: People) -> Result<Vec<PersonSummary>, ErrorReply> {
        book::people(self.state, request, self.now)
    }

    fn person(&self, request: Person) -> Result<Vec<PersonDetail>, ErrorReply> {
        book::person(self.state, request, self.now)
    }

    fn person_note(&self, request: PersonNote) -> Result<PersonSummary, ErrorReply> {
        book::note(self.state, request)
    }

    fn person_tag(&self, request: PersonTag) -> Result<PersonSummary, ErrorReply> {
        book::tag(self.state, request)
    }

    fn forget(&self, request: Forget) -> Result<Vec<Forgotten>, ErrorReply> {
        book::forget(self.state, request)
    }

    fn task_history(&self, request: TaskHistory) -> Result<Vec<TaskHistoryLine>, ErrorReply> {
        book::task_history(self.state, request.ids, self.now)
    }

    fn report(
        &self,
        request: rapport_protocol::requests::Report,
    ) -> Result<Vec<rapport_core::report::Report>, ErrorReply> {
        report::reports(self.state, request, self.now)
    }
}

/// A store failure as the reply to the whole request.
fn internal(err: StoreError) -> ErrorReply {
    ErrorReply::new(ErrorCode::Internal, format!("store: {err}"))
}
