import { EventEmitter } from 'node:events';
import { runInNewContext } from 'node:vm';
import { REDACTED, redactSecrets, redactText } from './redact';

describe('redactText', () => {
  it.each([
    [
      'postgres://herd:herd@127.0.0.1:55432/herd',
      `postgres://herd:${REDACTED}@127.0.0.1:55432/herd`,
    ],
    ['amqp://user:p%40ss@broker', `amqp://user:${REDACTED}@broker`],
    ['redis://:pw@cache:6379/0', `redis://:${REDACTED}@cache:6379/0`],
    ['ftp://dolly@host/file', 'ftp://dolly@host/file'],
    ['/cb?code=1&access_token=abc&x=2', `/cb?code=1&access_token=${REDACTED}&x=2`],
    ['/x?password=pw#frag', `/x?password=${REDACTED}#frag`],
    ['/x?apiKey=k1', `/x?apiKey=${REDACTED}`],
    ['http://consul:8500/v1/agent', 'http://consul:8500/v1/agent'],
    ['nothing secret here', 'nothing secret here'],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

describe('redactSecrets', () => {
  it('masks secret-named fields at any depth and secrets inside strings', () => {
    const input = {
      user: 'dolly',
      password: 'hunter2',
      headers: { Authorization: 'Bearer x', cookie: 'a=b', 'x-request-id': 'r1' },
      list: [{ clientSecret: 's' }, 'redis://:pw@cache:6379'],
      config: { db: { url: 'postgres://u:pw@h/db', accessToken: 't', tokenCount: 3 } },
      empty: { token: undefined },
    };
    expect(redactSecrets(input)).toEqual({
      user: 'dolly',
      password: REDACTED,
      headers: { Authorization: REDACTED, cookie: REDACTED, 'x-request-id': 'r1' },
      list: [{ clientSecret: REDACTED }, `redis://:${REDACTED}@cache:6379`],
      config: {
        db: { url: `postgres://u:${REDACTED}@h/db`, accessToken: REDACTED, tokenCount: REDACTED },
      },
      empty: { token: undefined },
    });
    expect(input.password).toBe('hunter2');
  });

  it('turns errors into plain objects without the secrets and survives cycles', () => {
    const error = Object.assign(new Error('connect to postgres://a:b@h failed'), { secret: 'x' });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const out = redactSecrets({ err: error, cyclic }) as Record<string, Record<string, unknown>>;
    expect(out.err).toMatchObject({
      type: 'Error',
      message: `connect to postgres://a:${REDACTED}@h failed`,
      secret: REDACTED,
    });
    expect(String(out.err.stack)).not.toContain(':b@');
    expect(out.cyclic.name).toBe('loop');
  });

  it('walks plain objects made in another realm (Node core builds req.headers outside Jest)', () => {
    const foreign = runInNewContext('({ authorization: "Bearer x", inner: { password: "p" } })');
    expect(redactSecrets(foreign)).toEqual({
      authorization: REDACTED,
      inner: { password: REDACTED },
    });
    const error = redactSecrets({ err: runInNewContext('new Error("to postgres://a:b@h")') });
    expect((error as { err: { message: string } }).err.message).toBe(
      `to postgres://a:${REDACTED}@h`,
    );
  });

  it('walks class instances (a DTO after ValidationPipe transform) and renders URL objects', () => {
    class SignupDto {
      name = 'dolly';
      password = 'hunter2';
      homepage = new URL('https://dolly:pa55@example.org/');
    }
    expect(redactSecrets({ body: new SignupDto() })).toEqual({
      body: {
        name: 'dolly',
        password: REDACTED,
        homepage: `https://dolly:${REDACTED}@example.org/`,
      },
    });
  });

  it('names event emitters (sockets, responses) instead of walking their raw headers', () => {
    const response = Object.assign(new EventEmitter(), {
      req: { _header: 'GET / HTTP/1.1\r\nx-consul-token: t0ken\r\n' },
    });
    const error = Object.assign(new Error('Permission denied'), { response, statusCode: 403 });
    const out = redactSecrets({ err: error }) as { err: Record<string, unknown> };
    expect(out.err).toMatchObject({ type: 'Error', response: '[EventEmitter]', statusCode: 403 });
    expect(JSON.stringify(out)).not.toContain('t0ken');
  });

  it("walks an error's cause", () => {
    const cause = Object.assign(new Error('to redis://:pw@h'), { token: 't' });
    const out = redactSecrets(new Error('outer', { cause })) as { cause: Record<string, unknown> };
    expect(out.cause).toMatchObject({ message: `to redis://:${REDACTED}@h`, token: REDACTED });
  });
});
