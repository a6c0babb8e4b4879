import { resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startEmbeddedPostgres } from '@tongban/database';
import { createHttpApp } from '@tongban/http';
import { StandaloneModule } from './standalone.module';

export const DEFAULT_DATA_DIR = '.data/standalone';

/**
 * Starts the embedded database in the data folder (kept across restarts) and builds the app on
 * it. The app owns the database from then on: closing the app stops it.
 */
export async function createStandaloneApp(
  dataDir = process.env['STANDALONE_DATA_DIR'] || DEFAULT_DATA_DIR,
): Promise<NestFastifyApplication> {
  const embedded = await startEmbeddedPostgres({ dataDir: resolve(dataDir, 'pg') });
  try {
    return await createHttpApp(StandaloneModule.register(embedded), {
      openApiTitle: 'Tongban API (standalone)',
    });
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
