export * from './database.module';
export * from './embedded-postgres';
