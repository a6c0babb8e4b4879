// @tongban/contracts: the public, versioned event envelope and the Kafka topics (docs/events.md).
export * from './envelope';
export * from './envelope.schema';
export * from './parse-envelope';
export * from './personal-data';
export * from './topics';
export * from './event-message';
export * from './dead-letter';
export * from './decode-event-message';
