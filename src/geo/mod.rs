//! The shared spatial index: every located thing of every module has one box in the SQLite
//! R*Tree `geo`, found by its `(kind, item id)` in `geo_items`.

pub mod store;
