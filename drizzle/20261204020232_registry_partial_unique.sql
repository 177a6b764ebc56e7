DROP INDEX "search_registry_episode_unique";--> statement-breakpoint
DROP INDEX "search_registry_movie_unique";--> statement-breakpoint
CREATE UNIQUE INDEX "search_registry_episode_unique" ON "search_registry" USING btree ("episode_id","search_type") WHERE "search_registry"."episode_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "search_registry_movie_unique" ON "search_registry" USING btree ("movie_id","search_type") WHERE "search_registry"."movie_id" is not null;