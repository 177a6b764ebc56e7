/**
 * Creates an empty `comradarr_e2e` database on TEST_DATABASE_URL's server (dropping an old one)
 * and prints its URL. Used by scripts/e2e-server.sh.
 */
import { SQL } from 'bun';

const base = process.env.TEST_DATABASE_URL;
if (!base) throw new Error('TEST_DATABASE_URL is not set');
const admin = new SQL(base, { max: 1 });
await admin.unsafe('drop database if exists comradarr_e2e with (force)');
await admin.unsafe('create database comradarr_e2e');
await admin.close();
const url = new URL(base);
url.pathname = '/comradarr_e2e';
console.log(url.toString());
