// @tongban/sla: public surface of this lib. Empty until the SLA issue lands (see README.md).
export {};
