// @tongban/event-store: public surface of this lib. Empty until the event-store issue (#3) lands (see README.md).
export {};
