// Integration suites talk to real servers over real connections: give them time to.
jest.setTimeout(60_000);
