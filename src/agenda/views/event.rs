//! The event page: when (the chosen date of a series), where, who, the RSVP buttons, the
//! dates to come, the sub-events, the organisers' actions, and schema.org Event JSON-LD.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use chrono::Datelike;
use maud::{html, Markup, PreEscaped};
use serde_json::json;

use super::{day_text, local, time_text, type_label};
use crate::agenda::recurrence::{End, Freq, MonthDay, Until};
use crate::agenda::{Access, Event, EventPage, Occurrence, Rsvp, Status, Visibility};
use crate::directory::views::badge;
use crate::time::rfc3339;
use crate::web::forms::csrf;
use crate::web::{markdown, page_described, url_encode, Ctx};

fn weekday_name(ctx: &Ctx, d: chrono::Weekday) -> &'static str {
    ctx.t("date.weekdays")
        .split(',')
        .nth(d.num_days_from_monday() as usize)
        .unwrap_or("")
        .trim()
}

/// The rule in words: « Chaque semaine le mardi, jusqu'au mardi 29 juin 2027 ».
pub fn describe_rule(ctx: &Ctx, ev: &Event) -> Option<String> {
    let Some(r) = ev.rule.as_ref() else {
        // A rule beyond the form's words (an imported YEARLY, BYSETPOS...): as written.
        return match (ev.rrule.is_empty(), ev.rdates.is_empty()) {
            (false, _) => Some(ctx.lang.tf("agenda.rule_custom", &[("rule", &ev.rrule)])),
            (true, false) => Some(ctx.t("agenda.rule_dates").to_string()),
            (true, true) => None,
        };
    };
    let n = r.interval.to_string();
    let many = r.interval > 1;
    let mut text = match (r.freq, r.month_day) {
        (Freq::Daily, _) if many => ctx.lang.tf("agenda.rule_daily_n", &[("n", &n)]),
        (Freq::Daily, _) => ctx.t("agenda.rule_daily").to_string(),
        (Freq::Weekly, _) => {
            let days: Vec<&str> = if r.by_day.is_empty() {
                vec![weekday_name(ctx, ev.start.weekday())]
            } else {
                r.by_day.iter().map(|d| weekday_name(ctx, *d)).collect()
            };
            let key = if many {
                "agenda.rule_weekly_n"
            } else {
                "agenda.rule_weekly"
            };
            ctx.lang.tf(key, &[("n", &n), ("days", &days.join(", "))])
        }
        (Freq::Monthly, Some(MonthDay::Nth(k, d))) => {
            let key = if many {
                "agenda.rule_monthly_nth_n"
            } else {
                "agenda.rule_monthly_nth"
            };
            let nth = ctx.t(&format!(
                "agenda.nth_{}",
                if k < 0 {
                    "last".to_string()
                } else {
                    k.to_string()
                }
            ));
            ctx.lang.tf(
                key,
                &[("n", &n), ("nth", nth), ("weekday", weekday_name(ctx, d))],
            )
        }
        (Freq::Monthly, md) => {
            let day = match md {
                Some(MonthDay::Day(d)) => d.to_string(),
                _ => ev.start.day().to_string(),
            };
            let key = if many {
                "agenda.rule_monthly_n"
            } else {
                "agenda.rule_monthly"
            };
            ctx.lang.tf(key, &[("n", &n), ("day", &day)])
        }
    };
    match r.end {
        End::Never => {}
        End::Count(c) => text.push_str(&ctx.lang.tf("agenda.rule_count", &[("n", &c.to_string())])),
        End::Until(u) => {
            let day = match u {
                Until::Date(d) => d,
                Until::Local(t) => t.date(),
                Until::Utc(t) => local(ctx, t.and_utc().timestamp()).date(),
            };
            text.push_str(
                &ctx.lang
                    .tf("agenda.rule_until", &[("day", &day_text(ctx, day))]),
            );
        }
    }
    Some(text)
}

/// Escapes `<`, `>` and `&` so that JSON can sit in a script element (same value, cannot close it).
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// schema.org Event of the shown date. Links are absolute on the public address
/// ([`Ctx::base`]), as search engines and federated readers expect.
fn json_ld(base: &str, ev: &Event, o: Option<&Occurrence>, going: i64) -> String {
    let url = |path: String| format!("{}{path}", base.trim_end_matches('/'));
    let (start, end) = o.map_or((ev.start_utc, ev.end_utc), |o| (o.start_utc, o.end_utc));
    let day = |t: i64| {
        crate::time::utc_to_local(ev.tz, t)
            .format("%Y-%m-%d")
            .to_string()
    };
    let (start_s, end_s) = if ev.all_day {
        (day(start), day((end - 1).max(start)))
    } else {
        (rfc3339(start, ev.tz), rfc3339(end, ev.tz))
    };
    let cancelled = ev.status == Status::Cancelled || o.is_some_and(|o| o.cancelled);
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": o.and_then(|o| o.title.clone()).unwrap_or_else(|| ev.title.clone()),
        "startDate": start_s,
        "eventStatus": if cancelled { "https://schema.org/EventCancelled" } else { "https://schema.org/EventScheduled" },
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": url(format!("/e/{}", ev.slug)),
    });
    if end > start {
        v["endDate"] = json!(end_s);
    }
    if !ev.description.is_empty() {
        v["description"] = json!(ev.description);
    }
    let mut place = json!({"@type": "Place", "name": ev.location_label()});
    if !ev.address.is_empty() {
        place["address"] = json!(ev.address);
    }
    if let Some((lat, lon)) = ev.point() {
        place["geo"] = json!({"@type": "GeoCoordinates", "latitude": lat, "longitude": lon});
    }
    if let Some(p) = ev.place.as_ref().filter(|p| p.public) {
        place["url"] = json!(url(format!("/a/{}", p.slug)));
    }
    // An event without place or address (online, or to be announced) has no Place to give.
    if !ev.location_label().trim().is_empty() || ev.point().is_some() {
        v["location"] = place;
    }
    if let Some(org) = &ev.organiser {
        let mut o = json!({"@type": "Organization", "name": org.name});
        if org.public {
            o["url"] = json!(url(format!("/a/{}", org.slug)));
        }
        v["organizer"] = o;
    } else if let Some((_, name)) = &ev.organiser_user {
        v["organizer"] = json!({"@type": "Person", "name": name});
    }
    if let Some(i) = &ev.image {
        v["image"] = json!(url(format!("/media/{i}")));
    }
    if let Some((_, slug, title)) = &ev.parent {
        v["superEvent"] =
            json!({"@type": "Event", "name": title, "url": url(format!("/e/{slug}"))});
    }
    if let Some(c) = ev.capacity {
        v["maximumAttendeeCapacity"] = json!(c);
        v["remainingAttendeeCapacity"] = json!((c - going).max(0));
    }
    if !ev.tags.is_empty() {
        v["keywords"] = json!(ev.tags.join(", "));
    }
    script_safe(&v.to_string())
}

fn post(ctx: &Ctx, action: &str, label: &str, class: Option<&str>) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf(ctx))
            button type="submit" class=[class] { (label) }
        }
    }
}

fn rsvp(ctx: &Ctx, ev: &Event, p: &EventPage, o: &Occurrence) -> Markup {
    let c = &p.counts;
    let full = ev.capacity.is_some_and(|cap| c.going >= cap);
    let open = ev.status == Status::Scheduled && !o.cancelled && o.end_utc > crate::db::now();
    let base = format!("/e/{}/rsvp", ev.slug);
    let answer = |value: &str, label: &str, pressed: bool| {
        html! {
            form.inline method="post" action=(base) {
                (csrf(ctx))
                input type="hidden" name="o" value=(o.recurrence_id);
                input type="hidden" name="answer" value=(value);
                button type="submit" aria-pressed=(if pressed { "true" } else { "false" }) { (label) }
            }
        }
    };
    html! {
        section #rsvp aria-labelledby="rsvp-h" {
            h2 #rsvp-h { (ctx.t("agenda.rsvp")) }
            p role="status" {
                (ctx.lang.tf("agenda.going_count", &[("n", &c.going.to_string())]))
                " · " (ctx.lang.tf("agenda.interested_count", &[("n", &c.interested.to_string())]))
                @if let Some(cap) = ev.capacity {
                    " · "
                    @if full { strong { (ctx.t("agenda.full")) } }
                    @else { strong { (ctx.lang.tf("agenda.places_left", &[("left", &(cap - c.going).to_string()), ("n", &cap.to_string())])) } }
                }
            }
            // The person's own answer, in words (not only a button's pressed state).
            @match p.mine {
                Some(Rsvp::Going) => p.rsvp-mine { (ctx.t("agenda.mine_going")) },
                Some(Rsvp::Interested) => p.rsvp-mine { (ctx.t("agenda.mine_interested")) },
                None => {},
            }
            @if p.full { p.error role="alert" { (ctx.t("agenda.full_refused")) } }
            @if open {
                @if ctx.user.is_some() {
                    div.actions {
                        @if !full || p.mine == Some(Rsvp::Going) { (answer("going", ctx.t("agenda.going"), p.mine == Some(Rsvp::Going))) }
                        (answer("interested", ctx.t("agenda.interested"), p.mine == Some(Rsvp::Interested)))
                        @if p.mine.is_some() { (answer("none", ctx.t("agenda.not_going"), false)) }
                    }
                } @else {
                    p { a href={ "/login?next=" (url_encode(&ctx.path)) } { (ctx.t("agenda.login_to_rsvp")) } }
                }
            }
        }
    }
}

fn dates(ctx: &Ctx, ev: &Event, access: Access, upcoming: &[Occurrence]) -> Markup {
    html! {
        section aria-labelledby="dates-h" {
            h2 #dates-h { (ctx.t("agenda.next_dates")) }
            @if upcoming.is_empty() { p { (ctx.t("agenda.no_next_dates")) } }
            ul.dates {
                @for o in upcoming {
                    @let base = format!("/e/{}/dates/{}", ev.slug, o.recurrence_id);
                    li.cancelled[o.cancelled] {
                        a href={ "/e/" (ev.slug) "?o=" (o.recurrence_id) } {
                            (day_text(ctx, local(ctx, o.start_utc).date())) ", " (time_text(ctx, ev.all_day, o.start_utc, o.end_utc))
                        }
                        @if let Some(t) = &o.title { " — " (t) }
                        @if o.cancelled { " " strong.badge { (ctx.t("agenda.cancelled")) } }
                        @if access.manage {
                            " "
                            @if o.cancelled { (post(ctx, &format!("{base}/restore"), ctx.t("agenda.restore_date"), Some("link"))) }
                            @else { (post(ctx, &format!("{base}/cancel"), ctx.t("agenda.cancel_date"), Some("link"))) }
                            " " a href={ (base) "/edit" } { (ctx.t("agenda.edit_date")) }
                        }
                    }
                }
            }
        }
    }
}

fn actions(ctx: &Ctx, ev: &Event, access: Access) -> Markup {
    let base = format!("/e/{}", ev.slug);
    html! {
        div.actions.no-print {
            @if ev.status != Status::Pending { a.button href={ (base) ".ics" } { (ctx.t("agenda.add_to_calendar")) } }
            @if ev.status != Status::Pending { " " a.report href={ "/report/event/" (ev.id) } { (ctx.t("moderation.report")) } }
            @if access.manage {
                a href={ (base) "/edit" } { (ctx.t("agenda.edit")) }
                @if ev.parent.is_none() && ev.status != Status::Pending {
                    a href={ "/agenda/new?parent=" (url_encode(&ev.slug)) } { (ctx.t("agenda.add_sub_event")) }
                }
                @match ev.status {
                    Status::Scheduled => (post(ctx, &format!("{base}/cancel"), ctx.t("agenda.cancel_event"), None)),
                    Status::Cancelled => (post(ctx, &format!("{base}/restore"), ctx.t("agenda.restore_event"), None)),
                    Status::Pending => {},
                }
                (post(ctx, &format!("{base}/delete"), ctx.t("agenda.delete"), Some("danger")))
            }
        }
    }
}

/// GET /e/{slug}
pub fn page(
    ctx: &Ctx,
    ev: &Event,
    access: Access,
    p: &EventPage,
    status: StatusCode,
) -> HttpResponse {
    let o = p.occurrence.as_ref();
    let title = o
        .and_then(|o| o.title.clone())
        .unwrap_or_else(|| ev.title.clone());
    let (start, end) = o.map_or((ev.start_utc, ev.end_utc), |o| (o.start_utc, o.end_utc));
    let date_off = o.is_some_and(|o| o.cancelled);
    page_described(
        status,
        ctx,
        &title,
        &ev.description,
        &[],
        html! {
            script type="application/ld+json" { (PreEscaped(json_ld(&ctx.base, ev, o, p.counts.going))) }
            article.event-page {
                h1.cancelled[ev.status == Status::Cancelled || date_off] { (title) }
                p.small {
                    (type_label(ctx, ev.type_))
                    @if ev.visibility == Visibility::Members { " · " strong { (ctx.t("agenda.members_only")) } }
                }
                @if ev.status == Status::Pending {
                    div.notice {
                        p { (ctx.t("agenda.pending_notice")) }
                        @if access.moderate {
                            p.small { (ctx.lang.tf("agenda.submitted_by", &[("name", &ev.submitter_name), ("email", &ev.submitter_email)])) }
                            (post(ctx, &format!("/admin/agenda/{}/approve", ev.id), ctx.t("agenda.approve"), None)) " "
                            (post(ctx, &format!("/admin/agenda/{}/reject", ev.id), ctx.t("agenda.reject"), Some("danger")))
                        }
                    }
                }
                @if ev.status == Status::Cancelled { p.notice.alert role="status" { strong { (ctx.t("agenda.event_cancelled")) } } }
                @else if date_off { p.notice.alert role="status" { strong { (ctx.t("agenda.date_cancelled")) } } }
                @if let Some((_, slug, t)) = &ev.parent { p { (ctx.t("agenda.part_of")) " " a href={ "/e/" (slug) } { (t) } } }
                @if let Some(i) = &ev.image { img.photo src={ "/media/" (i) } alt=""; }
                dl.facts {
                    dt { (ctx.t("agenda.when")) }
                    dd {
                        (day_text(ctx, local(ctx, start).date())) ", " (time_text(ctx, ev.all_day, start, end))
                        @if let Some(note) = o.map(|o| &o.note).filter(|n| !n.is_empty()) { br; em { (note) } }
                    }
                    @if let Some(rule) = describe_rule(ctx, ev) { dt { (ctx.t("agenda.repeats")) } dd { (rule) } }
                    @if !ev.location_label().is_empty() || ev.point().is_some() {
                        dt { (ctx.t("agenda.where")) }
                        dd {
                            @match ev.place.as_ref().filter(|p| p.public) {
                                Some(pl) => { a href={ "/a/" (pl.slug) } { (pl.name) } (badge::official(ctx, pl.official)) @if !ev.address.is_empty() { ", " (ev.address) } }
                                None => (ev.location_label()),
                            }
                            @if let Some((lat, lon)) = ev.point() {
                                " " a href=(format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}")) { (ctx.t("dir.on_osm")) }
                            }
                        }
                    }
                    @if let Some(name) = ev.organiser_name() {
                        dt { (ctx.t("agenda.organiser")) }
                        dd {
                            @match ev.organiser.as_ref().filter(|o| o.public) {
                                Some(org) => { a href={ "/a/" (org.slug) } { (org.name) } }
                                None => (name),
                            }
                            (badge::official(ctx, ev.organiser.as_ref().is_some_and(|o| o.official)))
                        }
                    } @else if ev.organiser_gone {
                        dt { (ctx.t("agenda.organiser")) }
                        dd { (ctx.t("privacy.former_member")) }
                    }
                    @if let Some(c) = ev.capacity { dt { (ctx.t("agenda.capacity")) } dd { (c) } }
                }
                @if !ev.tags.is_empty() {
                    ul.tags aria-label=(ctx.t("dir.tags")) {
                        @for t in &ev.tags { li { a href={ "/agenda?tag=" (url_encode(t)) } { "#" (t) } } }
                    }
                }
                @if !ev.description.is_empty() { div.prose { (PreEscaped(markdown::render(&ev.description))) } }
                (crate::personal_data::views::originals_of(ctx, "event", ev.id, &p.originals))
                @if let (Some(o), false) = (o, ev.status == Status::Pending) { (rsvp(ctx, ev, p, o)) }
                @if ev.is_series() { (dates(ctx, ev, access, &p.upcoming)) }
                @if !p.children.is_empty() {
                    section aria-labelledby="children-h" {
                        h2 #children-h { (ctx.t("agenda.sub_events")) }
                        ul.events {
                            @for (slug, t, at, st) in &p.children {
                                li.cancelled[*st == Status::Cancelled] {
                                    span.when { (day_text(ctx, local(ctx, *at).date())) ", " (local(ctx, *at).format("%H:%M")) }
                                    " " a href={ "/e/" (slug) } { (t) }
                                    @if *st == Status::Cancelled { " " strong.badge { (ctx.t("agenda.cancelled")) } }
                                }
                            }
                        }
                    }
                }
                (actions(ctx, ev, access))
            }
        },
    )
}
