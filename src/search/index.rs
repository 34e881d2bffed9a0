//! The tantivy index: French analysis, one document per indexed row, queries with typo
//! tolerance, and re-ranking by distance.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use super::collector::Nearby;
#[cfg(test)]
use super::Doc;
use crate::error::AppError;

/// Bump when the schema or the analysis changes: an index of another version is rebuilt.
pub const SCHEMA_VERSION: &str = "1";
const TOKENIZER: &str = "placette_fr";
/// Results per page.
pub const PER_PAGE: usize = 20;
/// Fixed bonuses added to bm25 so that what a resident typed, found in a title or as the
/// whole phrase, comes first even in a small village where every word is common (bm25's idf
/// is then near zero): the words in this order in the title, in the text, a word in the title,
/// a word forgiven one typo in the title. Distance still divides the sum.
const TITLE_PHRASE_BONUS: f32 = 8.0;
const BODY_PHRASE_BONUS: f32 = 4.0;
const TITLE_WORD_BONUS: f32 = 2.0;
const TITLE_TYPO_BONUS: f32 = 1.0;

/// The fields of the schema.
#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub(super) key: Field,
    pub(super) kind: Field,
    pub(super) kind_no: Field,
    pub(super) id: Field,
    pub(super) title: Field,
    pub(super) body: Field,
    pub(super) tags: Field,
    pub(super) tag: Field,
    pub(super) category: Field,
    pub(super) lat: Field,
    pub(super) lon: Field,
    pub(super) has_point: Field,
    pub(super) date: Field,
    pub(super) url: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fr = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = TextOptions::default().set_indexing_options(fr.clone());
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | STORED),
        kind_no: b.add_u64_field("kind_no", FAST),
        id: b.add_i64_field("id", FAST | STORED),
        title: b.add_text_field("title", text.clone().set_stored()),
        body: b.add_text_field("body", text.clone()),
        tags: b.add_text_field("tags", text),
        tag: b.add_text_field("tag", STRING),
        category: b.add_text_field("category", STRING | STORED),
        lat: b.add_f64_field("lat", FAST),
        lon: b.add_f64_field("lon", FAST),
        has_point: b.add_u64_field("has_point", FAST),
        date: b.add_i64_field("date", FAST | INDEXED),
        url: b.add_text_field("url", STORED),
    };
    (b.build(), fields)
}

/// Lower-case, accent folding, French stemming: « Fêtes » and « fete » meet at « fet ».
fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::French))
        .build()
}

/// The index, its reader and its one writer.
pub struct SearchIndex {
    pub(super) index: Index,
    pub(super) reader: IndexReader,
    /// Made when a change comes and dropped after a quiet minute ([`Self::release_writer`]):
    /// an idle server keeps neither its threads nor its indexing memory.
    pub(super) writer: Mutex<Option<IndexWriter>>,
    pub(super) fields: Fields,
}

/// The writer's indexing memory: tantivy's minimum for its one indexing thread. A village's
/// changes come a few at a time; a rebuild of 10^5 items flushes a segment at each 15 MB.
pub(super) const WRITER_BUDGET: usize = 15_000_000;
/// Decompressed blocks of stored documents kept per segment (tantivy's default is 100, up to
/// 1.6 MB per segment): a page reads 20 documents, and the results are memoised.
const DOC_STORE_CACHE_BLOCKS: usize = 10;

/// What to look for.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub text: String,
    /// A kind of thing (`actor`) or a category (`place`, `organisation`...).
    pub kind: Option<String>,
    pub tag: Option<String>,
    pub center: (f64, f64),
    pub radius_km: f64,
    /// Dated things between these instants (undated things are kept).
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub page: usize,
    /// Whether the neighbours' items are included (issue 20).
    pub neighbours: bool,
}

/// One result.
#[derive(Clone, Debug)]
pub struct Hit {
    pub kind: String,
    pub id: i64,
    pub title: String,
    pub url: String,
    pub category: String,
    pub distance_km: Option<f64>,
    /// For dated things, the start of the date to show (read from SQLite after the search).
    pub date: Option<i64>,
    /// Relevance × distance, as ranked.
    pub score: f64,
    pub point: Option<(f64, f64)>,
    /// For a neighbour's item, where it comes from (read from SQLite after the search).
    pub origin: Option<crate::neighbours::Origin>,
}

/// A page of results and how many there are in all.
#[derive(Clone, Debug, Default)]
pub struct Results {
    pub hits: Vec<Hit>,
    pub total: usize,
}

impl SearchIndex {
    /// Opens the index in `dir`; creates it when missing, of another version or unreadable.
    /// Returns whether it was (re)created, i.e. needs a rebuild from SQLite.
    pub fn open(dir: &Path) -> Result<(SearchIndex, bool), AppError> {
        let version = std::fs::read_to_string(dir.join("VERSION")).unwrap_or_default();
        let existing = if version.trim() == SCHEMA_VERSION {
            Index::open_in_dir(dir).ok()
        } else {
            None
        };
        let (index, fresh) = match existing {
            Some(index) => (index, false),
            None => {
                if dir.exists() {
                    log::warn!(
                        "search index at {} is missing, old or unreadable: rebuilding it",
                        dir.display()
                    );
                    std::fs::remove_dir_all(dir)?;
                }
                std::fs::create_dir_all(dir)?;
                let index = Index::create_in_dir(dir, schema().0).map_err(tantivy_error)?;
                std::fs::write(dir.join("VERSION"), SCHEMA_VERSION)?;
                (index, true)
            }
        };
        index.tokenizers().register(TOKENIZER, analyzer());
        let fields = schema().1;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .doc_store_cache_num_blocks(DOC_STORE_CACHE_BLOCKS)
            .try_into()
            .map_err(tantivy_error)?;
        Ok((
            SearchIndex {
                index,
                reader,
                writer: Mutex::new(None),
                fields,
            },
            fresh,
        ))
    }
}

impl SearchIndex {
    /// The generation of the searcher that answers now: it changes at each commit made
    /// visible, so that what was computed from an older one can be told apart.
    pub fn generation(&self) -> u64 {
        self.reader.searcher().generation().generation_id()
    }

    /// How many documents the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn text_query(&self, text: &str) -> Box<dyn Query> {
        let f = self.fields;
        let mut analyzer = self
            .index
            .tokenizers()
            .get(TOKENIZER)
            .unwrap_or_else(analyzer);
        let mut tokens = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(t) = stream.next() {
            tokens.push(t.text.clone());
        }
        if tokens.is_empty() {
            return Box::new(AllQuery);
        }
        // Short queries (one or two words) forgive one typo in words of 4 letters or more.
        let fuzzy = tokens.len() <= 2;
        let clauses = tokens
            .iter()
            .map(|t| {
                let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for (field, boost) in [(f.title, 3.0), (f.tags, 2.0), (f.body, 1.0)] {
                    let term = Term::from_field_text(field, t);
                    let q = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                    any.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
                    if field == f.title {
                        let q = TermQuery::new(term.clone(), IndexRecordOption::Basic);
                        any.push((Occur::Should, constant(q, TITLE_WORD_BONUS)));
                    }
                    if fuzzy && t.chars().count() >= 4 {
                        let fz = FuzzyTermQuery::new(term.clone(), 1, true);
                        any.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(fz), boost * 0.5)),
                        ));
                        if field == f.title {
                            let fz = FuzzyTermQuery::new(term, 1, true);
                            any.push((Occur::Should, constant(fz, TITLE_TYPO_BONUS)));
                        }
                    }
                }
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(any)) as Box<dyn Query>,
                )
            })
            .collect::<Vec<_>>();
        let words = Box::new(BooleanQuery::new(clauses));
        if tokens.len() < 2 {
            return words;
        }
        // The words as typed, in this order (accents folded, stemmed like the index).
        let mut all: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, words)];
        for (field, bonus) in [(f.title, TITLE_PHRASE_BONUS), (f.body, BODY_PHRASE_BONUS)] {
            let terms = tokens
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect();
            all.push((Occur::Should, constant(PhraseQuery::new(terms), bonus)));
        }
        Box::new(BooleanQuery::new(all))
    }

    fn query(&self, q: &SearchQuery, searcher: &Searcher) -> Box<dyn Query> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, self.text_query(&q.text))];
        if let Some(kind) = &q.kind {
            let either: Vec<(Occur, Box<dyn Query>)> = [f.kind, f.category]
                .into_iter()
                .map(|field| {
                    let t = Term::from_field_text(field, kind);
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(either))));
        }
        let neighbour = Term::from_field_text(f.kind, crate::neighbours::KIND);
        // Without a neighbour's item in the index (most villages) the clause would only cost:
        // each match would be checked against it.
        if !q.neighbours && searcher.doc_freq(&neighbour).map_or(true, |n| n > 0) {
            let t = neighbour;
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(t, IndexRecordOption::Basic)),
            ));
        }
        if let Some(tag) = &q.tag {
            let t = Term::from_field_text(f.tag, tag);
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(t, IndexRecordOption::Basic)),
            ));
        }
        if q.from.is_some() || q.to.is_some() {
            // Undated things carry date 0 and stay; dated ones must fall in the range.
            let lo = Term::from_field_i64(f.date, q.from.unwrap_or(i64::MIN));
            let hi = Term::from_field_i64(f.date, q.to.unwrap_or(i64::MAX));
            let dated =
                RangeQuery::new(std::ops::Bound::Included(lo), std::ops::Bound::Included(hi));
            let undated = TermQuery::new(Term::from_field_i64(f.date, 0), IndexRecordOption::Basic);
            let either: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Should, Box::new(dated)),
                (Occur::Should, Box::new(undated)),
            ];
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(either))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Searches; `nearby`, when given, restricts located matches to these `(kind, id)`
    /// (the distance itself always comes from the index's fast fields).
    pub fn search(
        &self,
        q: &SearchQuery,
        nearby: Option<HashSet<(usize, i64)>>,
    ) -> Result<Results, AppError> {
        let searcher = self.reader.searcher();
        let query = self.query(q, &searcher);
        let collector = Nearby {
            nearby: nearby.map(Arc::new),
            center: q.center,
            radius_km: q.radius_km,
        };
        let mut ranked = searcher.search(&query, &collector).map_err(tantivy_error)?;
        let f = self.fields;
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let total = ranked.len();
        let start = q.page.saturating_sub(1).saturating_mul(PER_PAGE);
        let mut hits = Vec::new();
        for (score, addr, distance, _) in ranked.into_iter().skip(start).take(PER_PAGE) {
            let d: TantivyDocument = searcher.doc(addr).map_err(tantivy_error)?;
            let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
            let fast = |name: &str| ff.f64(name).ok().and_then(|c| c.first(addr.doc_id));
            let located = ff.u64("has_point").ok().and_then(|c| c.first(addr.doc_id)) == Some(1);
            let point = fast("lat").zip(fast("lon")).filter(|_| located);
            let text = |field: Field| {
                d.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            hits.push(Hit {
                kind: text(f.kind),
                id: d.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or(0),
                title: text(f.title),
                url: text(f.url),
                category: text(f.category),
                distance_km: distance,
                date: None,
                score,
                point,
                origin: None,
            });
        }
        Ok(Results { hits, total })
    }
}

impl SearchIndex {
    /// Every `(kind number, id)` the query finds within its disc, unpaged (to show a search
    /// on the map).
    pub fn matching(
        &self,
        q: &SearchQuery,
        nearby: Option<HashSet<(usize, i64)>>,
    ) -> Result<HashSet<(usize, i64)>, AppError> {
        let collector = Nearby {
            nearby: nearby.map(Arc::new),
            center: q.center,
            radius_km: q.radius_km,
        };
        let searcher = self.reader.searcher();
        let found = searcher
            .search(&self.query(q, &searcher), &collector)
            .map_err(tantivy_error)?;
        Ok(found.into_iter().map(|(_, _, _, key)| key).collect())
    }
}

/// A query that adds a fixed `score` to the documents it matches.
fn constant(q: impl Query, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(q), score))
}

/// The unique key of a document.
pub(super) fn key(kind: &str, id: i64) -> String {
    format!("{kind}:{id}")
}

pub(super) fn tantivy_error(e: impl std::fmt::Display) -> AppError {
    AppError::msg(format!("search index: {e}"))
}

/// Where the index lives in the data dir.
pub fn index_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("search-index")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: i64, title: &str, point: Option<(f64, f64)>) -> Doc {
        Doc {
            kind: "actor",
            id,
            title: title.into(),
            body: String::new(),
            tags: vec!["fête".into()],
            category: "organisation".into(),
            point,
            date: None,
            url: format!("/a/{id}"),
        }
    }

    #[test]
    fn french_analysis_typos_and_distance() {
        let dir = tempfile::tempdir().unwrap();
        let (index, fresh) = SearchIndex::open(dir.path()).unwrap();
        assert!(fresh);
        let centre = (47.35, -0.81);
        let near = (47.35 + 2.0 / 111.32, -0.81);
        let far = (47.35 + 12.0 / 111.32, -0.81);
        index
            .apply(
                "actor",
                &[1, 2, 3],
                &[
                    doc(1, "Fête du Pain", Some(far)),
                    doc(2, "Les fêtes du village", Some(near)),
                    doc(3, "Fête du pain", None),
                ],
            )
            .unwrap();
        index.commit().unwrap();
        let nearby: HashSet<(usize, i64)> = [(0, 1), (0, 2)].into();
        let q = |text: &str| SearchQuery {
            text: text.into(),
            center: centre,
            radius_km: 15.0,
            page: 1,
            ..Default::default()
        };
        let r = index
            .search(&q("fete du pain"), Some(nearby.clone()))
            .unwrap();
        assert_eq!(r.total, 2, "{:?}", r.hits);
        let r = index.search(&q("fetes"), Some(nearby.clone())).unwrap();
        assert_eq!(r.total, 3);
        assert_eq!(r.hits[0].id, 2, "the nearer first");
        let r = index.search(&q("vilage"), Some(nearby.clone())).unwrap();
        assert_eq!(r.total, 1, "typo tolerance");
        let r = index
            .search(
                &SearchQuery {
                    radius_km: 5.0,
                    ..q("fete")
                },
                Some(nearby.clone()),
            )
            .unwrap();
        assert!(
            r.hits.iter().all(|h| h.id != 1),
            "12 km is outside a 5 km radius"
        );
        index.apply("actor", &[2], &[]).unwrap();
        index.commit().unwrap();
        assert_eq!(
            index
                .search(&q("village"), Some(nearby.clone()))
                .unwrap()
                .total,
            0,
            "deleted"
        );
        drop(index);
        let (again, fresh) = SearchIndex::open(dir.path()).unwrap();
        assert!(!fresh);
        assert_eq!(again.len(), 2);
        std::fs::write(dir.path().join("VERSION"), "0").unwrap();
        drop(again);
        let (_, fresh) = SearchIndex::open(dir.path()).unwrap();
        assert!(fresh, "an index of another version is rebuilt");
    }
}
