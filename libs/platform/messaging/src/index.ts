export * from './message-bus';
export * from './in-process-message-bus';
export * from './kafka-message-bus';
export * from './messaging.module';
export { partitionFor } from './partition';
