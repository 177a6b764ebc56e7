-- The content browser filters and counts series by search state: each episode row carries its
-- series, copied from the episode (which never changes series).
ALTER TABLE "search_registry" ADD COLUMN "series_id" integer;--> statement-breakpoint
UPDATE "search_registry" r SET "series_id" = e."series_id" FROM "episodes" e WHERE e."id" = r."episode_id";--> statement-breakpoint
ALTER TABLE "search_registry" ADD CONSTRAINT "search_registry_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "search_registry_series_idx" ON "search_registry" USING btree ("series_id") WHERE "search_registry"."series_id" is not null;--> statement-breakpoint
ALTER TABLE "search_registry" ADD CONSTRAINT "search_registry_episode_series" CHECK (("search_registry"."episode_id" is null) = ("search_registry"."series_id" is null));