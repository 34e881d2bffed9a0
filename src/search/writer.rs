//! The writing half of the search index: its one writer, made when a change comes and dropped
//! after a quiet minute, and the documents it adds.

use tantivy::indexer::IndexWriterOptions;
use tantivy::{doc, IndexWriter, TantivyDocument, Term};

use super::index::{key, tantivy_error, SearchIndex, WRITER_BUDGET};
use super::{sources, Doc};
use crate::error::AppError;

impl SearchIndex {
    /// Runs `f` with the writer, made first if there is none.
    fn with_writer<T>(
        &self,
        f: impl FnOnce(&mut IndexWriter) -> tantivy::Result<T>,
    ) -> Result<T, AppError> {
        let mut slot = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let writer = match &mut *slot {
            Some(w) => w,
            None => slot.insert(self.new_writer()?),
        };
        f(writer).map_err(tantivy_error)
    }

    /// One indexing thread, one merging thread, the smallest budget.
    fn new_writer(&self) -> Result<IndexWriter, AppError> {
        let options = IndexWriterOptions::builder()
            .memory_budget_per_thread(WRITER_BUDGET)
            .num_worker_threads(1)
            .num_merge_threads(1)
            .build();
        let writer: IndexWriter = self
            .index
            .writer_with_options(options)
            .map_err(tantivy_error)?;
        // A process killed mid-commit leaves files no commit refers to (a `.del` of the next
        // commit, say); they would make that next commit fail. Remove them before writing.
        if let Err(e) = writer.garbage_collect_files().wait() {
            log::warn!("search index: cleaning leftover files: {e}");
        }
        Ok(writer)
    }

    /// Drops the writer (after its merges) when nothing is pending: called by the indexer
    /// after a quiet minute, so that its threads and memory are given back.
    pub fn release_writer(&self) {
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(w) = writer {
            if let Err(e) = w.wait_merging_threads() {
                log::warn!("search index: merging: {e}");
            }
        }
    }

    fn to_document(&self, d: &Doc) -> TantivyDocument {
        let f = self.fields;
        let kind_no = sources().iter().position(|s| s.kind == d.kind).unwrap_or(0) as u64;
        let mut doc = doc!(
            f.key => key(d.kind, d.id),
            f.kind => d.kind,
            f.kind_no => kind_no,
            f.id => d.id,
            f.title => d.title.as_str(),
            f.body => d.body.as_str(),
            f.tags => d.tags.join(" "),
            f.category => d.category.as_str(),
            f.url => d.url.as_str(),
            f.has_point => u64::from(d.point.is_some()),
        );
        for t in &d.tags {
            doc.add_text(f.tag, t);
        }
        let (lat, lon) = d.point.unwrap_or((0.0, 0.0));
        doc.add_f64(f.lat, lat);
        doc.add_f64(f.lon, lon);
        doc.add_i64(f.date, d.date.unwrap_or(0));
        doc
    }

    /// Forgets what was added since the last commit, after a failed apply, so that the next
    /// attempt starts clean.
    pub fn rollback(&self) {
        let mut slot = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(w) = &mut *slot {
            if let Err(e) = w.rollback() {
                log::error!("search index rollback: {e}");
            }
        }
    }

    /// Replaces the documents of `(kind, ids)` by `docs` (ids without a doc are removed) and commits.
    pub fn apply(&self, kind: &str, ids: &[i64], docs: &[Doc]) -> Result<(), AppError> {
        self.with_writer(|w| {
            for id in ids {
                w.delete_term(Term::from_field_text(self.fields.key, &key(kind, *id)));
            }
            for d in docs {
                w.add_document(self.to_document(d))?;
            }
            w.commit()
        })?;
        // Visible to the next search at once, not when the file watcher notices.
        self.reader.reload().map_err(tantivy_error)?;
        Ok(())
    }

    /// Empties the index (before a rebuild); the caller adds everything back with [`Self::add`].
    pub fn clear(&self) -> Result<(), AppError> {
        self.with_writer(|w| w.delete_all_documents())?;
        Ok(())
    }

    /// Adds documents without committing (rebuild); finish with [`Self::commit`].
    pub fn add(&self, docs: &[Doc]) -> Result<(), AppError> {
        self.with_writer(|w| {
            for d in docs {
                w.add_document(self.to_document(d))?;
            }
            Ok(())
        })
    }

    /// Commits and makes the changes visible to searches right away.
    pub fn commit(&self) -> Result<(), AppError> {
        self.with_writer(|w| w.commit())?;
        self.reader.reload().map_err(tantivy_error)?;
        Ok(())
    }
}
