//! A tantivy collector that keeps only the matches inside the search disc and ranks them by
//! relevance and distance as it goes, reading locations from the fast fields: no document is
//! loaded, no top-k heap is sized in advance, so there is no cap on the number of results.

use std::collections::HashSet;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::rank;
use crate::geo::distance_km;

/// One kept match: its rank, its address in the index, its distance (None: no location),
/// and its `(kind number, id)`.
pub type Ranked = (f64, DocAddress, Option<f64>, (usize, i64));

/// Keeps the matches within `radius_km` of `center` (by the exact positions of the fast fields;
/// restricted to `nearby` when given), and the matches without a location.
pub struct Nearby {
    pub nearby: Option<Arc<HashSet<(usize, i64)>>>,
    pub center: (f64, f64),
    pub radius_km: f64,
}

/// The per-segment half of [`Nearby`].
pub struct NearbySegment {
    ord: SegmentOrdinal,
    nearby: Option<Arc<HashSet<(usize, i64)>>>,
    center: (f64, f64),
    radius_km: f64,
    kind_no: Column<u64>,
    id: Column<i64>,
    lat: Column<f64>,
    lon: Column<f64>,
    has_point: Column<u64>,
    kept: Vec<Ranked>,
}

impl Collector for Nearby {
    type Fruit = Vec<Ranked>;
    type Child = NearbySegment;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<NearbySegment> {
        let ff = segment.fast_fields();
        Ok(NearbySegment {
            ord,
            nearby: self.nearby.clone(),
            center: self.center,
            radius_km: self.radius_km,
            kind_no: ff.u64("kind_no")?,
            id: ff.i64("id")?,
            lat: ff.f64("lat")?,
            lon: ff.f64("lon")?,
            has_point: ff.u64("has_point")?,
            kept: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Ranked>>) -> tantivy::Result<Vec<Ranked>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for NearbySegment {
    type Fruit = Vec<Ranked>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let key = (
            self.kind_no.first(doc).unwrap_or(0) as usize,
            self.id.first(doc).unwrap_or(0),
        );
        let distance = if self.has_point.first(doc) == Some(1) {
            if self.nearby.as_ref().is_some_and(|n| !n.contains(&key)) {
                return;
            }
            let point = (
                self.lat.first(doc).unwrap_or(0.0),
                self.lon.first(doc).unwrap_or(0.0),
            );
            let d = distance_km(self.center, point);
            if d > self.radius_km {
                return;
            }
            Some(d)
        } else {
            None
        };
        let r = rank(score, distance.unwrap_or(self.radius_km));
        self.kept
            .push((r, DocAddress::new(self.ord, doc), distance, key));
    }

    fn harvest(self) -> Vec<Ranked> {
        self.kept
    }
}
