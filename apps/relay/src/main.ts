import 'reflect-metadata';
import { createHttpApp, listen, runMain } from '@tongban/http';
import { RelayModule } from './relay.module';

runMain('relay', async () => listen(await createHttpApp(RelayModule)));
