export * from './tongban-error';
export * from './error-codes';
export * from './request-errors';
