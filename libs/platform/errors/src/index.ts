export * from './tongban-error';
export * from './error-codes';
