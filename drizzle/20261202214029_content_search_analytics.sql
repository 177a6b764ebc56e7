-- Title search (content browser): pg_trgm for typo-tolerant matching, unaccent for accents. Both are
-- trusted extensions (PostgreSQL >= 13), so a database owner without superuser may create them.
-- They live in their own schema "extensions", not in "public": a restore parks "public" and builds
-- a new one (services/database/restore.ts), and extensions inside it would move away with the old
-- data. An extension already created in "public" by hand is moved there. unaccent() is only
-- STABLE (it reads a dictionary), so indexes use an IMMUTABLE wrapper that names the dictionary.
-- The same statements run before a restore fills a fresh database (db/extensions.ts).
CREATE SCHEMA IF NOT EXISTS extensions;--> statement-breakpoint
DO $$
DECLARE ext text; current_schema_name text;
BEGIN
	FOREACH ext IN ARRAY ARRAY['pg_trgm', 'unaccent'] LOOP
		SELECT n.nspname INTO current_schema_name FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = ext;
		IF current_schema_name IS NULL THEN
			EXECUTE format('CREATE EXTENSION %I WITH SCHEMA extensions', ext);
		ELSIF current_schema_name <> 'extensions' THEN
			EXECUTE format('ALTER EXTENSION %I SET SCHEMA extensions', ext);
		END IF;
	END LOOP;
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION comradarr_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	AS $$ SELECT extensions.unaccent('extensions.unaccent'::regdictionary, $1) $$;--> statement-breakpoint
CREATE TABLE "analytics_daily" (
	"connector_id" integer NOT NULL,
	"day" date NOT NULL,
	"gaps_found" integer DEFAULT 0 NOT NULL,
	"upgrades_found" integer DEFAULT 0 NOT NULL,
	"searches_sent" integer DEFAULT 0 NOT NULL,
	"items_searched" integer DEFAULT 0 NOT NULL,
	"grabs" integer DEFAULT 0 NOT NULL,
	"searches_finished" integer DEFAULT 0 NOT NULL,
	"acquisitions" integer DEFAULT 0 NOT NULL,
	"upgrades" integer DEFAULT 0 NOT NULL,
	"exhausted" integer DEFAULT 0 NOT NULL,
	"queue_depth" integer DEFAULT 0 NOT NULL,
	"gaps_open" integer DEFAULT 0 NOT NULL,
	"upgrade_candidates" integer DEFAULT 0 NOT NULL,
	"items_total" integer DEFAULT 0 NOT NULL,
	"items_complete" integer DEFAULT 0 NOT NULL,
	"arr_requests" integer DEFAULT 0 NOT NULL,
	"arr_errors" integer DEFAULT 0 NOT NULL,
	"arr_response_ms_avg" real,
	"arr_response_ms_max" integer,
	"computed_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analytics_daily_connector_id_day_pk" PRIMARY KEY("connector_id","day")
);
--> statement-breakpoint
CREATE TABLE "arr_request_stats" (
	"connector_id" integer NOT NULL,
	"hour" timestamp (3) with time zone NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"total_ms" bigint DEFAULT 0 NOT NULL,
	"max_ms" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "arr_request_stats_connector_id_hour_pk" PRIMARY KEY("connector_id","hour")
);
--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD CONSTRAINT "analytics_daily_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "arr_request_stats" ADD CONSTRAINT "arr_request_stats_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_daily_day_idx" ON "analytics_daily" USING btree ("day");--> statement-breakpoint
CREATE INDEX "arr_request_stats_hour_idx" ON "arr_request_stats" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "movies_title_trgm_idx" ON "movies" USING gin (comradarr_unaccent(lower("title")) extensions.gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "series_title_trgm_idx" ON "series" USING gin (comradarr_unaccent(lower("title")) extensions.gin_trgm_ops);