export * from './services';
export * from './eventually';
