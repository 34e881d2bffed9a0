//! Memoised reads for the hottest public pages (the map's GeoJSON, the directory list of a
//! visitor). An entry is valid while no write has been committed since it was computed: every
//! write through [`super::write_now`] bumps a process-wide generation *after* its commit, and a
//! reader takes the generation *before* it queries, so an entry can be older than the data only
//! for a write made by another process (a command-line import); [`TTL`] bounds that.
//!
//! Single flight: when many requests miss the same key at once (a cold start under load, the
//! first reads after a write), one computes and the others wait for its value instead of
//! computing the same page side by side, each with its own memory.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The longest an entry is trusted without a write of this process to invalidate it.
pub const TTL: Duration = Duration::from_secs(30);

/// Called by `write_now` after each commit, and by whatever changes what pages show without a
/// write of its own (the search indexer, once the index's readers see its batch).
pub fn bump() {
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

/// A computation in progress that other readers of the same key wait for.
struct Flight<V> {
    generation: u64,
    outcome: Mutex<Outcome<V>>,
    done: Condvar,
}

enum Outcome<V> {
    Pending,
    Ready(Arc<V>),
    /// The computation failed: each waiter computes on its own and gets its own error.
    Failed,
}

/// How long a reader waits for another's computation before computing itself.
const WAIT: Duration = Duration::from_secs(10);

/// A bounded map from a request's key to its computed value.
pub struct Memo<V> {
    entries: Mutex<HashMap<String, Entry<V>>>,
    flights: Mutex<HashMap<String, Arc<Flight<V>>>>,
    capacity: usize,
}

impl<V> Memo<V> {
    pub fn new(capacity: usize) -> Memo<V> {
        Memo {
            entries: Mutex::new(HashMap::new()),
            flights: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// Like [`Memo::get_or`], but concurrent misses of one key compute it once.
    fn single_flight<E>(
        &self,
        key: &str,
        generation: u64,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        let (flight, leader) = {
            let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
            match flights.get(key) {
                Some(f) if f.generation == generation => (f.clone(), false),
                // The value may have landed between the caller's look and this lock.
                _ if let Some(v) = self.fresh(key, generation) => return Ok(v),
                _ => {
                    let f = Arc::new(Flight {
                        generation,
                        outcome: Mutex::new(Outcome::Pending),
                        done: Condvar::new(),
                    });
                    flights.insert(key.to_string(), f.clone());
                    (f, true)
                }
            }
        };
        if !leader {
            let outcome = flight.outcome.lock().unwrap_or_else(|e| e.into_inner());
            let (outcome, _) = flight
                .done
                .wait_timeout_while(outcome, WAIT, |o| matches!(o, Outcome::Pending))
                .unwrap_or_else(|e| e.into_inner());
            if let Outcome::Ready(v) = &*outcome {
                return Ok(v.clone());
            }
            drop(outcome);
            return compute().map(Arc::new);
        }
        let result = compute().map(Arc::new);
        if let Ok(v) = &result {
            self.store(key, generation, v.clone());
        }
        *flight.outcome.lock().unwrap_or_else(|e| e.into_inner()) = match &result {
            Ok(v) => Outcome::Ready(v.clone()),
            Err(_) => Outcome::Failed,
        };
        flight.done.notify_all();
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if flights.get(key).is_some_and(|f| Arc::ptr_eq(f, &flight)) {
            flights.remove(key);
        }
        result
    }

    /// The value of `key`, computed by `compute` when missing or stale.
    pub fn get_or<E>(
        &self,
        key: &str,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        let generation = generation();
        if let Some(v) = self.fresh(key, generation) {
            return Ok(v);
        }
        self.single_flight(key, generation, compute)
    }

    /// The value of `key` if no write was committed since it was computed (and within [`TTL`]).
    pub fn peek(&self, key: &str) -> Option<Arc<V>> {
        self.fresh(key, generation())
    }

    /// Keeps `value` for `key`, computed from the data as of `generation`, which the caller took
    /// with [`generation`] *before* computing it (so a write during the computation makes it stale).
    pub fn put(&self, key: &str, generation: u64, value: Arc<V>) {
        self.store(key, generation, value)
    }

    fn fresh(&self, key: &str, generation: u64) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|e| e.generation == generation && e.at.elapsed() < TTL)
            .map(|e| e.value.clone())
    }

    fn store(&self, key: &str, generation: u64, value: Arc<V>) {
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
                value,
            },
        );
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

    #[test]
    fn concurrent_misses_compute_once() {
        let memo: Arc<Memo<u32>> = Arc::new(Memo::new(8));
        let calls = Arc::new(AtomicU64::new(0));
        let generation = generation();
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (memo, calls) = (memo.clone(), calls.clone());
                std::thread::spawn(move || {
                    *memo
                        .single_flight::<()>("k", generation, || {
                            calls.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(200));
                            Ok(7)
                        })
                        .unwrap()
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), 7);
        }
        // Threads that arrive after the first flight landed start a new one; with 200 ms of
        // work and 16 threads started together, one or two computations, never sixteen.
        assert!(calls.load(Ordering::SeqCst) <= 2, "{calls:?}");
    }

    #[test]
    fn a_failed_flight_lets_each_waiter_compute() {
        let memo: Memo<u32> = Memo::new(8);
        let g = generation();
        assert!(memo
            .single_flight("x", g, || Err::<u32, _>("boom"))
            .is_err());
        assert_eq!(*memo.single_flight::<()>("x", g, || Ok(3)).unwrap(), 3);
    }
}
