-- Content browser: each registry row of an episode carries its series (copied from the episode,
-- which never changes series) so series can be filtered and counted by search state without
-- joining the episodes; title order is read off an index.
ALTER TABLE "search_registry" ADD COLUMN "series_id" integer;--> statement-breakpoint
UPDATE "search_registry" r SET "series_id" = e."series_id" FROM "episodes" e WHERE e."id" = r."episode_id";--> statement-breakpoint
ALTER TABLE "search_registry" ADD CONSTRAINT "search_registry_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "movies_sort_title_idx" ON "movies" USING btree (coalesce("sort_title", lower("title")),"id");--> statement-breakpoint
CREATE INDEX "series_sort_title_idx" ON "series" USING btree (coalesce("sort_title", lower("title")),"id");--> statement-breakpoint
CREATE INDEX "search_registry_series_idx" ON "search_registry" USING btree ("series_id","search_type","state") WHERE "search_registry"."series_id" is not null;--> statement-breakpoint
ALTER TABLE "search_registry" ADD CONSTRAINT "search_registry_episode_series" CHECK (("search_registry"."episode_id" is null) = ("search_registry"."series_id" is null));