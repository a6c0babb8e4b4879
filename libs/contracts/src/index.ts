// @tongban/contracts: public surface of this lib. Empty until the Kafka read-side issue lands (see README.md).
export {};
