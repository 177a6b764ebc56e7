CREATE TABLE "search_item_summary" (
	"kind" varchar(6) NOT NULL,
	"item_id" integer NOT NULL,
	"connector_id" integer NOT NULL,
	"entries" integer DEFAULT 0 NOT NULL,
	"gaps" integer DEFAULT 0 NOT NULL,
	"upgrades" integer DEFAULT 0 NOT NULL,
	"queued" integer DEFAULT 0 NOT NULL,
	"searching" integer DEFAULT 0 NOT NULL,
	"cooldown" integer DEFAULT 0 NOT NULL,
	"exhausted" integer DEFAULT 0 NOT NULL,
	"last_searched_at" timestamp (3) with time zone,
	CONSTRAINT "search_item_summary_kind_item_id_pk" PRIMARY KEY("kind","item_id")
);
--> statement-breakpoint
CREATE INDEX "search_item_summary_connector_idx" ON "search_item_summary" USING btree ("connector_id","kind");--> statement-breakpoint
-- Keeps search_item_summary in step with search_registry (see the table's docstring in
-- src/lib/server/db/schema/search-state.ts). `added` / `removed` are the statement's new and old
-- registry rows; their per-item counts are added as deltas, so concurrent statements never
-- overwrite each other's counts. An item whose latest search went back (a row deleted, or its
-- last_searched_at cleared or lowered) gets its last_searched_at recomputed from the registry.
CREATE FUNCTION search_item_summary_apply(added search_registry[], removed search_registry[]) RETURNS void
LANGUAGE sql AS $$
	WITH changes AS (
		SELECT a.*, 1 AS delta FROM unnest(added) a
		UNION ALL
		SELECT r.*, -1 FROM unnest(removed) r
	), per_item AS (
		SELECT CASE WHEN series_id IS NULL THEN 'movie' ELSE 'series' END AS kind,
		       coalesce(series_id, movie_id) AS item_id,
		       max(connector_id) AS connector_id,
		       sum(delta)::int AS entries,
		       coalesce(sum(delta) FILTER (WHERE search_type = 'gap'), 0)::int AS gaps,
		       coalesce(sum(delta) FILTER (WHERE search_type = 'upgrade'), 0)::int AS upgrades,
		       coalesce(sum(delta) FILTER (WHERE state = 'queued'), 0)::int AS queued,
		       coalesce(sum(delta) FILTER (WHERE state = 'searching'), 0)::int AS searching,
		       coalesce(sum(delta) FILTER (WHERE state = 'cooldown'), 0)::int AS cooldown,
		       coalesce(sum(delta) FILTER (WHERE state = 'exhausted'), 0)::int AS exhausted,
		       max(last_searched_at) FILTER (WHERE delta > 0) AS last_searched_at
		FROM changes GROUP BY 1, 2
	)
	INSERT INTO search_item_summary AS x
		(kind, item_id, connector_id, entries, gaps, upgrades, queued, searching, cooldown, exhausted, last_searched_at)
	SELECT * FROM per_item p
	WHERE p.entries <> 0 OR p.gaps <> 0 OR p.upgrades <> 0 OR p.queued <> 0 OR p.searching <> 0
	   OR p.cooldown <> 0 OR p.exhausted <> 0 OR p.last_searched_at IS NOT NULL
	-- Every statement locks summary rows in the same order: two never wait on each other in a cycle.
	ORDER BY p.kind, p.item_id
	ON CONFLICT (kind, item_id) DO UPDATE SET
		connector_id = excluded.connector_id,
		entries = x.entries + excluded.entries,
		gaps = x.gaps + excluded.gaps,
		upgrades = x.upgrades + excluded.upgrades,
		queued = x.queued + excluded.queued,
		searching = x.searching + excluded.searching,
		cooldown = x.cooldown + excluded.cooldown,
		exhausted = x.exhausted + excluded.exhausted,
		last_searched_at = greatest(x.last_searched_at, excluded.last_searched_at);

	WITH went_back AS (
		SELECT DISTINCT CASE WHEN r.series_id IS NULL THEN 'movie' ELSE 'series' END AS kind,
		       coalesce(r.series_id, r.movie_id) AS item_id
		FROM unnest(removed) r
		LEFT JOIN unnest(added) a ON a.id = r.id
		WHERE r.last_searched_at IS NOT NULL
		  AND (a.id IS NULL OR a.last_searched_at IS NULL OR a.last_searched_at < r.last_searched_at)
	)
	, locked AS (
		SELECT x.kind, x.item_id FROM search_item_summary x JOIN went_back w USING (kind, item_id)
		ORDER BY x.kind, x.item_id FOR UPDATE OF x
	)
	UPDATE search_item_summary x SET last_searched_at = CASE x.kind
		WHEN 'series' THEN (SELECT max(s.last_searched_at) FROM search_registry s WHERE s.series_id = x.item_id)
		ELSE (SELECT max(s.last_searched_at) FROM search_registry s WHERE s.movie_id = x.item_id) END
	FROM locked l WHERE x.kind = l.kind AND x.item_id = l.item_id;
$$;
--> statement-breakpoint
CREATE FUNCTION search_item_summary_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM search_item_summary_apply((SELECT array_agg(n::search_registry) FROM new_rows n), '{}'::search_registry[]);
	ELSIF TG_OP = 'UPDATE' THEN
		PERFORM search_item_summary_apply((SELECT array_agg(n::search_registry) FROM new_rows n), (SELECT array_agg(o::search_registry) FROM old_rows o));
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM search_item_summary_apply('{}'::search_registry[], (SELECT array_agg(o::search_registry) FROM old_rows o));
	ELSE
		DELETE FROM search_item_summary;
	END IF;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER search_item_summary_insert AFTER INSERT ON search_registry
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_item_summary_trigger();
--> statement-breakpoint
CREATE TRIGGER search_item_summary_update AFTER UPDATE ON search_registry
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_item_summary_trigger();
--> statement-breakpoint
CREATE TRIGGER search_item_summary_delete AFTER DELETE ON search_registry
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_item_summary_trigger();
--> statement-breakpoint
CREATE TRIGGER search_item_summary_truncate AFTER TRUNCATE ON search_registry
	FOR EACH STATEMENT EXECUTE FUNCTION search_item_summary_trigger();
--> statement-breakpoint
INSERT INTO search_item_summary
	(kind, item_id, connector_id, entries, gaps, upgrades, queued, searching, cooldown, exhausted, last_searched_at)
SELECT CASE WHEN series_id IS NULL THEN 'movie' ELSE 'series' END, coalesce(series_id, movie_id), max(connector_id),
       count(*), count(*) FILTER (WHERE search_type = 'gap'), count(*) FILTER (WHERE search_type = 'upgrade'),
       count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state = 'searching'),
       count(*) FILTER (WHERE state = 'cooldown'), count(*) FILTER (WHERE state = 'exhausted'),
       max(last_searched_at)
FROM search_registry GROUP BY 1, 2;
