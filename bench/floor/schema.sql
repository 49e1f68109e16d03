-- The floor's one table: a booking per row, no two of one therapist overlapping,
-- guarded like the product's appointments (an exclusion constraint over btree_gist).
CREATE EXTENSION IF NOT EXISTS btree_gist;
DROP TABLE IF EXISTS floor_booking;
CREATE TABLE floor_booking (
    id bigserial PRIMARY KEY,
    therapist_id integer NOT NULL,
    start_at timestamptz NOT NULL,
    end_at timestamptz NOT NULL,
    email text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT floor_booking_no_overlap
        EXCLUDE USING gist (therapist_id WITH =, tstzrange(start_at, end_at) WITH &&)
);
