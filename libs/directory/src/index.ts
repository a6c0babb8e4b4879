// @tongban/directory: public surface of this lib. Empty until the routing issue lands (see README.md).
export {};
