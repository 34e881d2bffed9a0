//! Matching: the open posts that answer a post (offers for a need, needs for an offer, sales
//! for a wanted ad and back), ranked by text similarity from the search index, category and
//! distance.
//!
//! Text: each significant word of the post's title and description is asked of the index on
//! its own (French analysis, stemming, one typo forgiven), restricted to the counterpart kind;
//! the index ranks its matches by relevance and distance and the first page of each word is
//! kept (so a word shared by thousands of posts costs twenty rows, not thousands); a
//! candidate's text score is the weighted number of words it matches (title words count
//! double). Category: ×2 for the same category, ×1.5 for a related one. Distance: the search's
//! documented mix, `score / (1 + km / 5)`, so at equal text the nearer comes first (the
//! lawnmower 3 km away before the one 25 km away). Posts of the same category that share no
//! word still come, after, with a small score.

use std::collections::HashMap;

use std::sync::LazyLock;

use rusqlite::Connection;

use super::{store, Post};
use crate::db::memo::Memo;
use crate::error::AppError;
use crate::geo::distance_km;
use crate::search::index::{SearchIndex, SearchQuery};
use crate::search::{kind_no, rank};
use crate::state::AppState;

/// How many matches a post's page shows.
pub const SHOWN: usize = 8;
/// Words asked of the index, at most.
const MAX_WORDS: usize = 12;
/// How far the index looks for candidates, in km.
const REACH_KM: f64 = 100.0;

/// Words too common in posts to say anything about what is offered or needed.
const STOP: &[&str] = &[
    "avec",
    "dans",
    "pour",
    "sans",
    "vous",
    "nous",
    "elle",
    "mais",
    "plus",
    "très",
    "tres",
    "cherche",
    "cherchons",
    "chercher",
    "recherche",
    "rechercher",
    "besoins",
    "propose",
    "proposer",
    "donner",
    "prêter",
    "preter",
    "besoin",
    "propose",
    "offre",
    "donne",
    "prête",
    "prete",
    "quelqu",
    "quelque",
    "chose",
    "merci",
    "bonjour",
    "cette",
    "votre",
    "notre",
    "aussi",
    "avoir",
    "être",
    "etre",
    "fait",
    "faire",
    "peut",
    "tout",
    "tous",
    "with",
    "need",
    "offer",
    "from",
    "that",
    "this",
    "have",
    "looking",
    "some",
    "your",
];

/// The significant words of a post: title words first (weight 2), then description words.
pub fn words(p: &Post) -> Vec<(String, f32)> {
    let mut out: Vec<(String, f32)> = Vec::new();
    for (text, weight) in [(&p.title, 2.0), (&p.description, 1.0)] {
        for w in text
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_lowercase)
            .filter(|w| w.chars().count() >= 4 && !STOP.contains(&w.as_str()))
        {
            if out.len() >= MAX_WORDS {
                return out;
            }
            if !out.iter().any(|(x, _)| *x == w) {
                out.push((w, weight));
            }
        }
    }
    out
}

/// A matching post and its distance in km (when both posts have a point).
pub type Match = (Post, Option<f64>);

/// The open posts that answer `p`, best first, with their distance in km (when both have a
/// point). Memoised per post until the next write (or the index's next new document): a
/// post's page is read far more often than anything changes.
pub async fn matches_for(state: &AppState, p: &Post) -> Result<Vec<Match>, AppError> {
    static MEMO: LazyLock<Memo<Vec<Match>>> = LazyLock::new(|| Memo::new(512));
    let index = state.search.clone();
    let inst = state.instance();
    let centre = (inst.center_lat, inst.center_lon);
    let radius = inst.radius_km;
    let key = format!("{}|{}", p.id, index.len());
    let p = p.clone();
    let found = state
        .db
        .read(move |c| {
            MEMO.get_or(&key, || {
                compute(&index, c, &p, p.point.unwrap_or(centre), radius)
            })
        })
        .await?;
    Ok(found.as_ref().clone())
}

/// The text scores of the candidates, by post id.
fn text_scores(
    index: &SearchIndex,
    p: &Post,
    center: (f64, f64),
) -> Result<HashMap<i64, f32>, AppError> {
    let mut scores = HashMap::new();
    let Some(no) = kind_no(super::KIND) else {
        return Ok(scores);
    };
    for (w, weight) in words(p) {
        let q = SearchQuery {
            text: w,
            kind: Some(p.kind.counterpart().as_str().to_string()),
            center,
            radius_km: REACH_KM,
            page: 1,
            ..Default::default()
        };
        for hit in index.search(&q, None)?.hits {
            if kind_no(&hit.kind) == Some(no) {
                *scores.entry(hit.id).or_insert(0.0) += weight;
            }
        }
    }
    Ok(scores)
}

fn compute(
    index: &SearchIndex,
    c: &Connection,
    p: &Post,
    center: (f64, f64),
    radius: f64,
) -> Result<Vec<Match>, AppError> {
    let want = p.kind.counterpart();
    let text = text_scores(index, p, center)?;
    let ids: Vec<i64> = text.keys().copied().collect();
    let now = super::now();
    let mut found = store::public_posts_by_ids(c, &ids, now)?;
    for q in store::recent_public_of_kind(c, want, p.category, 20, now)? {
        if !found.iter().any(|x| x.id == q.id) {
            found.push(q);
        }
    }
    found.retain(|q| q.kind == want && q.id != p.id && q.author_id != p.author_id);
    let mut ranked: Vec<(f64, Post, Option<f64>)> = found
        .into_iter()
        .map(|q| {
            let t = text.get(&q.id).copied().unwrap_or(0.0) + 0.5;
            let cat = if q.category == p.category {
                2.0
            } else if q.category.related(p.category) {
                1.5
            } else {
                1.0
            };
            let d = p.point.zip(q.point).map(|(a, b)| distance_km(a, b));
            (rank(t * cat, d.unwrap_or(radius)), q, d)
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.created_at.cmp(&a.1.created_at))
    });
    Ok(ranked
        .into_iter()
        .take(SHOWN)
        .map(|(_, q, d)| (q, d))
        .collect())
}
