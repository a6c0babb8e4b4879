// @tongban/cases: public surface of this lib. Empty until the case issue (#4) lands (see README.md).
export {};
