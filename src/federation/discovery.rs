//! How peers find us: WebFinger (`acct:village@host`, `acct:relay@host` for Mobilizon, and
//! `acct:{slug}@host` for each public organisation page; the answer's subject and self link
//! are what Mastodon's reverse check compares), NodeInfo 2.1 (its link first: Gancio takes the
//! first one) with the ActivityStreams `Application` link Mobilizon uses to find the instance
//! actor, and host-meta for older servers.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{actor_url, host_of, store, INSTANCE_NAME};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::public_base;

#[derive(Deserialize)]
pub struct WebfingerQuery {
    #[serde(default)]
    resource: String,
}

/// The local name a WebFinger resource asks for, when it is on this host: `acct:x@host`, or
/// the URL of one of our actors.
fn local_name(resource: &str, base: &str, host: &str) -> Option<String> {
    let r = resource.trim();
    if let Some(acct) = r.strip_prefix("acct:").or_else(|| r.strip_prefix('@')) {
        let (name, at) = acct.rsplit_once('@')?;
        return (at.eq_ignore_ascii_case(host) && !name.is_empty()).then(|| name.to_string());
    }
    if r == actor_url(base, None) || r == format!("{base}/") || r == base {
        return Some(INSTANCE_NAME.into());
    }
    r.strip_prefix(&format!("{base}/ap/a/"))
        .or_else(|| r.strip_prefix(&format!("{base}/a/")))
        .map(|s| s.trim_end_matches('/').to_string())
        .filter(|s| !s.is_empty() && !s.contains('/'))
}

/// GET /.well-known/webfinger?resource=…
pub async fn webfinger(
    state: web::Data<AppState>,
    q: web::Query<WebfingerQuery>,
) -> Result<HttpResponse, AppError> {
    let base = public_base(&state);
    let host = host_of(&base).unwrap_or_default();
    let name = local_name(&q.resource, &base, &host).ok_or(AppError::NotFound)?;
    let (subject_name, actor, page) = if name == INSTANCE_NAME || name == "relay" {
        (name.clone(), actor_url(&base, None), format!("{base}/"))
    } else {
        let slug = name.clone();
        let found = state
            .db
            .read(move |c| Ok(store::local_group(c, &slug)?))
            .await?
            .ok_or(AppError::NotFound)?;
        (
            found.1.clone(),
            actor_url(&base, Some(&found.1)),
            format!("{base}/a/{}", found.1),
        )
    };
    let doc = json!({
        "subject": format!("acct:{subject_name}@{host}"),
        "aliases": [actor, page],
        "links": [
            {"rel": "self", "type": super::CONTENT_TYPE, "href": actor},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": page},
        ],
    });
    Ok(HttpResponse::Ok()
        .content_type("application/jrd+json; charset=utf-8")
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(doc.to_string()))
}

/// GET /.well-known/nodeinfo
pub async fn nodeinfo_index(state: web::Data<AppState>) -> HttpResponse {
    let base = public_base(&state);
    let doc = json!({"links": [
        {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": format!("{base}/nodeinfo/2.1")},
        {"rel": "https://www.w3.org/ns/activitystreams#Application", "href": actor_url(&base, None)},
    ]});
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(doc.to_string())
}

/// GET /nodeinfo/2.1: the software, the protocols, counts, and the village's centre and
/// radius (neighbouring instances read them).
pub async fn nodeinfo(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (users, posts) = state.db.read(|c| Ok(store::usage(c)?)).await?;
    let inst = state.instance();
    let doc = json!({
        "version": "2.1",
        "software": {
            "name": "placette",
            "version": env!("CARGO_PKG_VERSION"),
            "repository": env!("CARGO_PKG_REPOSITORY"),
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["rss2.0"]},
        "openRegistrations": true,
        "usage": {"users": {"total": users}, "localPosts": posts},
        "metadata": {
            "nodeName": inst.name,
            "nodeDescription": inst.description,
            "center": {"lat": inst.center_lat, "lon": inst.center_lon},
            "radius_km": inst.radius_km,
        },
    });
    Ok(HttpResponse::Ok()
        .content_type(
            "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
        )
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(doc.to_string()))
}

/// GET /.well-known/host-meta (XRD), for servers that look WebFinger up through it.
pub async fn host_meta(state: web::Data<AppState>) -> HttpResponse {
    let base = crate::text::xml_escape(&public_base(&state));
    HttpResponse::Ok()
        .content_type("application/xrd+xml; charset=utf-8")
        .body(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\
             <Link rel=\"lrdd\" template=\"{base}/.well-known/webfinger?resource={{uri}}\"/></XRD>\n"
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_on_this_host_only() {
        let (base, host) = ("https://placette.example", "placette.example");
        assert_eq!(
            local_name("acct:village@placette.example", base, host).as_deref(),
            Some("village")
        );
        assert_eq!(
            local_name("acct:comite@PLACETTE.example", base, host).as_deref(),
            Some("comite")
        );
        assert_eq!(
            local_name("acct:village@ailleurs.example", base, host),
            None
        );
        assert_eq!(
            local_name("https://placette.example/ap/a/comite", base, host).as_deref(),
            Some("comite")
        );
        assert_eq!(
            local_name("https://placette.example/ap/village", base, host).as_deref(),
            Some("village")
        );
        assert_eq!(local_name("acct:@placette.example", base, host), None);
    }
}
