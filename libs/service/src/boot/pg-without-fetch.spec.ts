/* eslint-disable @typescript-eslint/no-require-imports */
describe('pg imported without loading fetch', () => {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'Response');
  let probed: number;

  beforeEach(() => {
    probed = 0;
    const runtime = globalThis.Response;
    Object.defineProperty(globalThis, 'Response', {
      configurable: true,
      get() {
        probed += 1;
        return runtime;
      },
    });
  });

  afterEach(() => {
    if (descriptor) Object.defineProperty(globalThis, 'Response', descriptor);
  });

  it("answers pg's Cloudflare probe from navigator, never touching Response; navigator is gone after", () => {
    let client: unknown;
    jest.isolateModules(() => {
      require('./pg-without-fetch');
      client = require('pg').Client;
    });
    expect(probed).toBe(0);
    expect(typeof client).toBe('function');
    expect('navigator' in globalThis).toBe(false);
  });

  it('without it, importing pg reaches for Response (and so for undici)', () => {
    jest.isolateModules(() => require('pg'));
    expect(probed).toBeGreaterThan(0);
  });
});
