/**
 * Creates an empty `comradarr_e2e_<port>` database on TEST_DATABASE_URL's server (dropping an old
 * one) and prints its URL. Used by scripts/e2e-server.sh; the port (PORT) keeps two e2e runs on
 * one server apart.
 */
import { SQL } from 'bun';

const base = process.env.TEST_DATABASE_URL;
if (!base) throw new Error('TEST_DATABASE_URL is not set');
const admin = new SQL(base, { max: 1 });
const name = `comradarr_e2e_${Number(process.env.PORT) || 4173}`;
await admin.unsafe(`drop database if exists ${name} with (force)`);
await admin.unsafe(`create database ${name}`);
await admin.close();
const url = new URL(base);
url.pathname = `/${name}`;
console.log(url.toString());
