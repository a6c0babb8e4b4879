import 'reflect-metadata';
import { createHttpApp, listen, runMain } from '@tongban/http';
import { ApiModule } from './api.module';

runMain('api', async () => listen(await createHttpApp(ApiModule, { openApiTitle: 'Tongban API' })));
