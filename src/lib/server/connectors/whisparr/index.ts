export { WhisparrV2Client, WhisparrV3Client, whisparrLine, type WhisparrLine } from './client';
