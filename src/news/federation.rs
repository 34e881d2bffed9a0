//! The news on the fediverse: each public post (public audience, visible, on the village
//! wall or a public page's journal: the same rule as the search index) as a `Note`, its title
//! in bold before the text, since Mastodon shows a Note's content.

use rusqlite::Connection;
use serde_json::json;

use super::store;
use crate::federation::Object;

/// A public post as followers see it; `None` when it is not public.
pub fn object(c: &Connection, id: i64, base: &str) -> rusqlite::Result<Option<Object>> {
    let Some(post) = store::public_posts_by_ids(c, &[id])?.into_iter().next() else {
        return Ok(None);
    };
    let body = crate::web::markdown::render(&post.body);
    let content = if post.title.is_empty() {
        body
    } else {
        format!(
            "<p><strong>{}</strong></p>{body}",
            crate::text::xml_escape(&post.title)
        )
    };
    let mut json = json!({
        "type": "Note",
        "content": content,
        "mediaType": "text/html",
        "url": format!("{base}{}", post.url()),
        "attachment": [],
    });
    if let Some(img) = &post.image {
        json["attachment"] = json!([{
            "type": "Document",
            "mediaType": crate::federation::media_type(img),
            "url": format!("{base}/media/{img}"),
            "name": post.headline(),
        }]);
    }
    Ok(Some(Object {
        json,
        local_actor: post.actor.as_ref().map_or(0, |a| a.0),
        announce: false,
    }))
}
