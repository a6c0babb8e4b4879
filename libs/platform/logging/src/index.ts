export * from './personal-data';
export * from './request-id';
export * from './logging.module';
export * from './log-destination';
