export { default as JobProgress } from './JobProgress.svelte';
export { JobFollower, POLL_MS, type FollowState } from './job-follower.svelte';
