export * from './bootstrap';
export * from './health';
export * from './metrics';
export * from './http-platform.module';
export * from './problem-details';
export * from './problem-details.filter';
export * from './validation.pipe';
export * from './platform.module';
