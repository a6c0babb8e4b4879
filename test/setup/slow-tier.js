// Integration and end-to-end tests talk to real services: allow them a minute per test
// (jest's testTimeout is global, so the tier sets its own here).
jest.setTimeout(60_000);
