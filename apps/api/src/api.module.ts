import { Module } from '@nestjs/common';
import { TongbanDatabaseModule } from '@tongban/database';
import { TongbanPlatformModule } from '@tongban/http';

/** The HTTP API: intake, cadre workbench, supervision, administration and queries. */
@Module({
  imports: [
    TongbanPlatformModule.forRoot({ app: 'api', defaultPort: 3000, required: ['DATABASE_URL'] }),
    TongbanDatabaseModule.forRoot(),
  ],
})
export class ApiModule {}
