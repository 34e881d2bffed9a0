-- Migration 5: map settings. The tile URL template ({z}/{x}/{y}) and its attribution; an
-- optional MBTiles file of the region, served at /tiles/{z}/{x}/{y} for maps without internet.
ALTER TABLE instance ADD COLUMN tile_url TEXT NOT NULL DEFAULT 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
ALTER TABLE instance ADD COLUMN tile_attribution TEXT NOT NULL DEFAULT '© OpenStreetMap contributors';
ALTER TABLE instance ADD COLUMN mbtiles_path TEXT NOT NULL DEFAULT '';
