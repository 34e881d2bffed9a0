//! Mutual aid and small ads: offers, needs and ads, matched with each other, expiring, and
//! answered through private conversations relayed by mail without showing any address.

pub mod tasks;
