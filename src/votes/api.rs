//! The read API of proposals (`/api/v1/proposals`): what the caller may read, under the same
//! rule as the pages; the kept result once the deadline has passed. Authors are named, never
//! addressed; a ballot is never in an answer.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::handlers::visible;
use super::{store, tasks, Proposal, Summary};
use crate::db::now;
use crate::directory::access::load as load_actor;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{markdown, Ctx};

fn iso(unix: i64) -> Value {
    json!(chrono::DateTime::from_timestamp(unix, 0).map(|d| d.to_rfc3339()))
}

fn summary_json(s: &Summary, base: &str, at: i64) -> Value {
    json!({
        "id": s.id,
        "url": format!("{base}/votes/{}", s.id),
        "title": s.title,
        "actor": s.actor.as_ref().map(|(slug, name)| json!({"slug": slug, "name": name})),
        "phase": super::phase_at(s.vote_start, s.deadline, at).as_str(),
        "vote_start": iso(s.vote_start),
        "deadline": iso(s.deadline),
        "voters": s.voters,
        "outcome": s.outcome,
    })
}

/// Query of the list.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    /// A page's slug: its proposals only.
    pub actor: String,
}

/// GET /api/v1/proposals: the village's and the public pages' proposals, or a page's.
pub async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let actor = match q.actor.trim() {
        "" => None,
        slug => Some(load_actor(&state, &ctx, slug.to_string()).await?.0.id),
    };
    let items = state
        .db
        .read(move |c| Ok(store::list(c, actor, 200)?))
        .await?;
    let at = now();
    let items: Vec<Value> = items
        .iter()
        .map(|s| summary_json(s, &ctx.base, at))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

fn proposal_json(p: &Proposal, base: &str, voters: i64, result: Option<Value>) -> Value {
    json!({
        "id": p.id,
        "url": format!("{base}{}", p.url()),
        "calendar": format!("{base}{}.ics", p.url()),
        "title": p.title,
        "body": p.body,
        "body_html": markdown::render(&p.body),
        "actor": p.actor.as_ref().map(|a| json!({"slug": a.slug, "name": a.name})),
        "author": p.author_name,
        "method": p.method.as_str(),
        "options": p.options.iter().map(|o| json!({"id": o.id, "label": o.label})).collect::<Vec<_>>(),
        "quorum_pct": p.quorum_pct,
        "threshold": p.threshold.as_str(),
        "secret": p.secret,
        "phase": p.phase(now()).as_str(),
        "vote_start": iso(p.vote_start),
        "deadline": iso(p.deadline),
        "created_at": iso(p.created_at),
        "voters": voters,
        "result": result,
    })
}

/// GET /api/v1/proposals/{id}: the proposal, and its result once counted.
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (p, _) = visible(&state, &ctx, id.into_inner()).await?;
    tasks::ensure_counted(&state, p.id, p.deadline).await?;
    let pid = p.id;
    let (voters, result) = state
        .db
        .read(move |c| Ok((store::voters(c, pid)?, store::result(c, pid)?)))
        .await?;
    let result = result.map(|r| {
        json!({
            "outcome": r.outcome, "eligible": r.eligible, "voters": r.voters,
            "turnout_pct": r.turnout_pct(), "yes": r.yes, "no": r.no, "abstain": r.abstain,
            "ranking": r.ranking, "counted_at": iso(r.computed_at),
        })
    });
    Ok(HttpResponse::Ok().json(proposal_json(&p, &ctx.base, voters, result)))
}

/// The proposals' paths of the OpenAPI document.
pub fn openapi_paths() -> Value {
    let error = json!({"description": "No such proposal, or not one the caller may read", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    json!({
        "/api/v1/proposals": {"get": {
            "summary": "The proposals the caller may read: the village's and the public pages', or one page's",
            "operationId": "listProposals",
            "parameters": [
                {"name": "actor", "in": "query", "required": false, "schema": {"type": "string"}, "description": "A page's slug: its proposals only"}
            ],
            "responses": {
                "200": {"description": "The proposals, latest deadline first", "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["items"],
                    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ProposalSummary"}}}
                }}}},
                "404": {"description": "No page the caller may see with this slug", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        }},
        "/votes.ics": {"get": {
            "summary": "iCalendar (RFC 5545) feed of the proposals' voting dates: each one's opening and deadline",
            "operationId": "proposalsIcs",
            "responses": {"200": {"description": "A VCALENDAR", "content": {"text/calendar": {"schema": {"type": "string"}}}}}
        }},
        "/api/v1/proposals/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "get": {
                "summary": "One proposal, with its result once the deadline has passed (counted once by the server and kept)",
                "operationId": "getProposal",
                "responses": {
                    "200": {"description": "The proposal", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Proposal"}}}},
                    "404": error
                }
            }
        }
    })
}

/// The proposals' schemas of the OpenAPI document.
pub fn openapi_schemas() -> Value {
    let text = json!({"type": "string"});
    let date = json!({"type": "string", "format": "date-time"});
    let actor = json!({"type": "object", "nullable": true, "description": "The page that opened it; null for the village.", "properties": {"slug": text, "name": text}});
    let phase = json!({"type": "string", "enum": ["discussion", "voting", "closed"]});
    let result = result_schema();
    json!({
        "ProposalSummary": {
            "type": "object",
            "required": ["id", "url", "title", "actor", "phase", "vote_start", "deadline", "voters", "outcome"],
            "properties": {
                "id": {"type": "integer"},
                "url": {"type": "string", "format": "uri"},
                "title": text,
                "actor": actor,
                "phase": phase,
                "vote_start": date,
                "deadline": date,
                "voters": {"type": "integer"},
                "outcome": {"type": "string", "nullable": true, "description": "adopted, rejected, no_quorum, chosen or none once counted"}
            }
        },
        "Proposal": {
            "type": "object",
            "required": ["id", "url", "calendar", "title", "body", "body_html", "actor", "author", "method", "options", "quorum_pct", "threshold", "secret", "phase", "vote_start", "deadline", "created_at", "voters", "result"],
            "properties": {
                "id": {"type": "integer"},
                "url": {"type": "string", "format": "uri"},
                "calendar": {"type": "string", "format": "uri", "description": "The vote's opening and deadline as iCalendar."},
                "title": text,
                "body": {"type": "string", "description": "Markdown; the current text (amendments accepted)."},
                "body_html": text,
                "actor": actor,
                "author": {"type": "string", "nullable": true},
                "method": {"type": "string", "enum": ["yes_no", "judgement"]},
                "options": {"type": "array", "items": {"type": "object", "required": ["id", "label"], "properties": {"id": {"type": "integer"}, "label": text}}},
                "quorum_pct": {"type": "integer", "minimum": 0, "maximum": 100},
                "threshold": {"type": "string", "enum": ["half", "two_thirds"]},
                "secret": {"type": "boolean"},
                "phase": phase,
                "vote_start": date,
                "deadline": date,
                "created_at": date,
                "voters": {"type": "integer", "description": "Ballots so far (or counted)."},
                "result": result
            }
        }
    })
}

fn result_schema() -> Value {
    let text = json!({"type": "string"});
    let date = json!({"type": "string", "format": "date-time"});
    json!({
                    "type": "object", "nullable": true,
                    "required": ["outcome", "eligible", "voters", "turnout_pct", "yes", "no", "abstain", "ranking", "counted_at"],
                    "properties": {
                        "outcome": {"type": "string", "enum": ["adopted", "rejected", "no_quorum", "chosen", "none"]},
                        "eligible": {"type": "integer"},
                        "voters": {"type": "integer"},
                        "turnout_pct": {"type": "number"},
                        "yes": {"type": "integer"}, "no": {"type": "integer"}, "abstain": {"type": "integer"},
                        "ranking": {"type": "array", "description": "Majority judgement: options best first.", "items": {
                            "type": "object", "required": ["option", "label", "grade", "counts"],
                            "properties": {
                                "option": {"type": "integer"}, "label": text,
                                "grade": {"type": "integer", "nullable": true, "minimum": 0, "maximum": 6, "description": "Majority grade: 6 Excellent .. 0 To reject."},
                                "counts": {"type": "array", "items": {"type": "integer"}, "description": "Ballots per grade, index = grade."}
                            }
                        }},
                        "counted_at": date
                    }
    })
}
