export * from './services';
export * from './eventually';
export * from './private-kafka';
export * from './deployable-process';
