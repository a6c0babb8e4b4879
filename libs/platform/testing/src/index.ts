export * from './services';
export * from './eventually';
export * from './private-services';
export * from './private-kafka';
export * from './private-postgres';
export * from './deployable-process';
export * from './overrides';
