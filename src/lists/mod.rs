//! Mailing lists: the village newsletter and actors' lists, double opt-in with a consent
//! ledger, drafts written together, a published sending frequency the software enforces,
//! and a restart-safe sending queue.

pub mod tasks;
