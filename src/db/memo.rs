//! Memoised reads for the hottest public pages (the map's GeoJSON, the directory list of a
//! visitor). An entry is valid while no write has been committed since it was computed: every
//! write through [`super::write_now`] bumps a process-wide generation *after* its commit, and a
//! reader takes the generation *before* it queries, so an entry can be older than the data only
//! for a write made by another process (a command-line import); [`TTL`] bounds that.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The longest an entry is trusted without a write of this process to invalidate it.
pub const TTL: Duration = Duration::from_secs(30);

/// Called by `write_now` after each commit.
pub(super) fn bump() {
    GENERATION.fetch_add(1, Ordering::Release);
}

/// The current write generation.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

struct Entry<V> {
    generation: u64,
    at: Instant,
    value: Arc<V>,
}

/// A bounded map from a request's key to its computed value.
pub struct Memo<V> {
    entries: Mutex<HashMap<String, Entry<V>>>,
    capacity: usize,
}

impl<V> Memo<V> {
    pub fn new(capacity: usize) -> Memo<V> {
        Memo {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The value of `key`, computed by `compute` when missing or stale.
    pub fn get_or<E>(
        &self,
        key: &str,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        let generation = generation();
        {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(e) = entries.get(key) {
                if e.generation == generation && e.at.elapsed() < TTL {
                    return Ok(e.value.clone());
                }
            }
        }
        let value = Arc::new(compute()?);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity {
            // Stale entries go first; if all are fresh, start again (a rare, cheap reset).
            entries.retain(|_, e| e.generation == generation && e.at.elapsed() < TTL);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(
            key.to_string(),
            Entry {
                generation,
                at: Instant::now(),
                value: value.clone(),
            },
        );
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_invalidates_and_a_hit_does_not_recompute() {
        let memo: Memo<u32> = Memo::new(2);
        let mut calls = 0;
        let mut get = |memo: &Memo<u32>, key: &str| {
            *memo
                .get_or::<()>(key, || {
                    calls += 1;
                    Ok(calls)
                })
                .unwrap()
        };
        let first = get(&memo, "a");
        // Other tests write concurrently and bump the generation: retry until a hit is seen.
        let mut hit = false;
        for _ in 0..100 {
            let v = get(&memo, "a");
            let again = get(&memo, "a");
            if v == again {
                hit = true;
                break;
            }
        }
        assert!(hit, "a second read without a write in between is a hit");
        bump();
        assert!(get(&memo, "a") > first, "a write makes the entry stale");
        get(&memo, "b");
        get(&memo, "c");
        assert!(memo.entries.lock().unwrap().len() <= 2, "bounded");
    }
}
