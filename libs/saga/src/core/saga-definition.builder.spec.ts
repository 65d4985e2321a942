import { SagaDefinitionError } from '../errors/saga-definition.error';
import { PoisonMessageError } from '../errors/poison-message.error';
import { SagaDefinitionRegistry } from './saga-definition.registry';
import { defineSaga } from './saga-definition.builder';
import { decodeEnvelope, isTraceparent, newTraceparent } from './saga-envelope';

describe('defineSaga', () => {
  const step = { channel: 'c', command: 'x', payload: () => ({}) };

  it('applies documented defaults to remote steps', () => {
    const definition = defineSaga('s', 1).remote('a', step).build();
    expect(definition.steps[0]).toMatchObject({
      kind: 'remote',
      timeoutMs: 30_000,
      retry: { maxAttempts: 1, backoffMs: 500 },
    });
  });

  it('defaults a compensation to the step channel', () => {
    const definition = defineSaga('s', 1)
      .remote('a', { ...step, compensate: { command: 'undo', payload: () => ({}) } })
      .build();
    expect(definition.steps[0]).toMatchObject({ compensation: { channel: 'c', command: 'undo' } });
  });

  it.each([
    ['no steps', () => defineSaga('s', 1).build(), 'needs at least one step'],
    ['a bad version', () => defineSaga('s', 0).remote('a', step).build(), 'version must be'],
    [
      'duplicate steps',
      () => defineSaga('s', 1).remote('a', step).remote('a', step).build(),
      'duplicate step "a"',
    ],
    [
      'a zero timeout',
      () =>
        defineSaga('s', 1)
          .remote('a', { ...step, timeoutMs: 0 })
          .build(),
      'timeoutMs must be > 0',
    ],
    ['a bad name', () => defineSaga('a b', 1).remote('a', step).build(), 'name must match'],
    [
      'a compensation on another channel than its command',
      () =>
        defineSaga('s', 1)
          .remote('a', { ...step, compensate: { channel: 'd', command: 'u', payload: () => 1 } })
          .build(),
      'step "a": the compensation must use the step\'s channel "c"',
    ],
  ])('rejects %s', (_case, build, message) => {
    expect(build).toThrow(SagaDefinitionError);
    expect(build).toThrow(message);
  });

  it('keeps versions apart and starts new sagas on the highest', () => {
    const v1 = defineSaga('s', 1).remote('a', step).build();
    const v2 = defineSaga('s', 2).remote('a', step).remote('b', step).build();
    const registry = new SagaDefinitionRegistry([v2, v1]);
    expect(registry.latest('s')).toBe(v2);
    expect(registry.get('s', 1)).toBe(v1);
    expect(() => registry.get('s', 3)).toThrow('saga "s" version 3 is not registered');
    expect(() => registry.add(v1)).toThrow('version 1 registered twice');
  });
});

describe('decodeEnvelope', () => {
  const valid = {
    envelope: 1,
    id: 'm1',
    kind: 'command',
    type: 't',
    sagaId: 's1',
    sagaType: 'order',
    definitionVersion: 1,
    timestamp: 1,
    correlationId: 'c',
    causationId: null,
    traceparent: newTraceparent(),
    replyTo: 'r',
    payload: {},
  };

  it('accepts a well-formed envelope', () => {
    expect(decodeEnvelope(Buffer.from(JSON.stringify(valid)))).toEqual(valid);
  });

  it.each([
    ['null', null, 'message has no value'],
    ['not JSON', Buffer.from('{'), 'value is not JSON'],
    ['a missing replyTo', Buffer.from(JSON.stringify({ ...valid, replyTo: undefined })), 'replyTo'],
    [
      'a bad traceparent',
      Buffer.from(JSON.stringify({ ...valid, traceparent: 'x' })),
      'traceparent',
    ],
  ])('treats %s as poison', (_case, raw, message) => {
    expect(() => decodeEnvelope(raw)).toThrow(PoisonMessageError);
    expect(() => decodeEnvelope(raw)).toThrow(message);
  });
});

describe('newTraceparent', () => {
  it('gives well-formed, distinct trace and span ids, past a refill of its entropy pool', () => {
    const made = Array.from({ length: 1000 }, () => newTraceparent());
    expect(made.every((t) => isTraceparent(t))).toBe(true);
    expect(new Set(made.map((t) => t.slice(3, 35))).size).toBe(made.length);
    expect(new Set(made.map((t) => t.slice(36, 52))).size).toBe(made.length);
  });
});
