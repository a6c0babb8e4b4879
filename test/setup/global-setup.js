// @ts-check
/**
 * Jest global setup for the int and e2e tiers: makes sure the real PostgreSQL and Kafka are up
 * (starting them with infra/scripts/services.sh when they are not) and exports their addresses
 * to the test workers. Services already described by the environment are used as they are.
 */
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..', '..');

function readEnvFile(file) {
  const values = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) values[match[1]] = match[2].replace(/^['"]|['"]$/g, '');
  }
  return values;
}

module.exports = async function globalSetup() {
  if (process.env.TONGBAN_PG_TEST_URL && process.env.TONGBAN_KAFKA_BROKERS) return;
  // Both tiers call this; the script is idempotent and fast when everything is already up.
  execFileSync('bash', [join(root, 'infra', 'scripts', 'services.sh'), 'up'], {
    cwd: root,
    // stdout carries the same facts as services.env; progress goes to stderr.
    stdio: ['ignore', 'ignore', 'inherit'],
    env: process.env,
  });
  const dataDir = process.env.TONGBAN_DATA_DIR || join(root, '.data');
  const envFile = join(dataDir, 'services.env');
  if (!existsSync(envFile)) throw new Error(`services.sh up did not write ${envFile}`);
  const values = readEnvFile(envFile);
  for (const key of ['TONGBAN_PG_URL', 'TONGBAN_PG_TEST_URL', 'TONGBAN_KAFKA_BROKERS']) {
    if (!values[key]) throw new Error(`${envFile} does not define ${key}`);
    process.env[key] = values[key];
  }
};
