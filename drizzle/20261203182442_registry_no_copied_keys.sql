ALTER TABLE "search_registry" DROP CONSTRAINT "search_registry_connector_id_connectors_id_fk";
--> statement-breakpoint
ALTER TABLE "search_registry" DROP CONSTRAINT "search_registry_series_id_series_id_fk";
