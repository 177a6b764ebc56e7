-- Failure categories are now no_results, indexer_error, rate_limited, timeout and app_error
-- (services/queue/registry-states.ts gives each its cooldown). The retired command_failed, error
-- and unknown all meant "the app (or our handling of it) failed", which is app_error now.
UPDATE "search_registry" SET "failure_category" = 'app_error' WHERE "failure_category" IN ('command_failed', 'error', 'unknown');
