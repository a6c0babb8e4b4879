import 'reflect-metadata';
import { listen, runMain } from '@tongban/http';
import { createStandaloneApp } from './start-standalone';

runMain('standalone', async () => {
  const url = await listen(await createStandaloneApp());
  return `${url} (OpenAPI: ${url}/docs)`;
});
