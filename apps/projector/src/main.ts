import 'reflect-metadata';
import { createHttpApp, listen, runMain } from '@tongban/http';
import { ProjectorModule } from './projector.module';

runMain('projector', async () => listen(await createHttpApp(ProjectorModule)));
