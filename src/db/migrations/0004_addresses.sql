-- Migration 4: the national address base (BAN), imported per département, so that typed
-- addresses find their coordinates without any online geocoder.
CREATE TABLE addresses (
    id           TEXT    PRIMARY KEY,           -- BAN id, e.g. 49001_0010_00012
    number       TEXT    NOT NULL DEFAULT '',   -- numero + rep ("12", "12 bis")
    street       TEXT    NOT NULL,              -- nom_voie
    postcode     TEXT    NOT NULL DEFAULT '',
    insee        TEXT    NOT NULL DEFAULT '',
    city         TEXT    NOT NULL,              -- nom_commune
    lat          REAL    NOT NULL,
    lon          REAL    NOT NULL,
    -- Lower-case, accent-free "number street postcode city", for prefix search.
    search       TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX addresses_search ON addresses(search);
