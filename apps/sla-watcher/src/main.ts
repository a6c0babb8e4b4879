import 'reflect-metadata';
import { createHttpApp, listen, runMain } from '@tongban/http';
import { SlaWatcherModule } from './sla-watcher.module';

runMain('sla-watcher', async () => listen(await createHttpApp(SlaWatcherModule)));
