import { OwnershipViolationError } from '../errors/ownership-violation.error';
import { AuditedOrder, Invoice, Order, Payment, Refund } from '../fixtures/cross-service.fixture';
import { FLOCK_ENTITIES } from '../fixtures/flock.fixture';
import { assertSelfContained, findOwnershipViolations } from './ownership-guard';

describe('ownership guard', () => {
  it('accepts a self-contained entity set (relations inside, external refs as plain ids)', () => {
    expect(findOwnershipViolations({ service: 'flock', entities: FLOCK_ENTITIES })).toEqual([]);
    expect(() => assertSelfContained({ service: 'flock', entities: FLOCK_ENTITIES })).not.toThrow();
  });

  it('rejects a relation to another service entity, naming both entities', () => {
    let caught: unknown;
    try {
      assertSelfContained({ service: 'orders', entities: [Order] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OwnershipViolationError);
    const error = caught as OwnershipViolationError;
    expect(error.retryable).toBe(false);
    expect(error.violations).toEqual([
      expect.objectContaining({
        kind: 'relation',
        entity: 'Order',
        property: 'payment',
        target: 'Payment',
      }),
    ]);
    expect(error.message).toContain('Order.payment');
    expect(error.message).toContain('Payment');
    expect(error.message).toContain("service 'orders'");
  });

  it('allows the same relation when both entities belong to the service', () => {
    expect(findOwnershipViolations({ service: 'shop', entities: [Order, Payment] })).toEqual([]);
  });

  it('rejects a @ForeignKey into another service entity', () => {
    expect(findOwnershipViolations({ service: 'refunds', entities: [Refund] })).toEqual([
      expect.objectContaining({ kind: 'foreign-key', entity: 'Refund', target: 'Payment' }),
    ]);
  });

  it('follows relations declared on a base class and given by entity name', () => {
    expect(findOwnershipViolations({ service: 'audit', entities: [AuditedOrder] })).toEqual([
      expect.objectContaining({
        kind: 'relation',
        entity: 'AuditedOrder',
        property: 'lastPayment',
        target: 'Payment',
      }),
    ]);
    expect(
      findOwnershipViolations({ service: 'audit', entities: [AuditedOrder, Payment] }),
    ).toEqual([]);
  });

  it('rejects a table in a schema other than the service schema', () => {
    expect(findOwnershipViolations({ service: 'billing', entities: [Invoice] })).toEqual([
      expect.objectContaining({ kind: 'foreign-table', entity: 'Invoice', target: 'invoice' }),
    ]);
    expect(
      findOwnershipViolations({ service: 'billing', entities: [Invoice], schema: 'billing' }),
    ).toEqual([]);
  });

  it('lists every violation at once', () => {
    const violations = findOwnershipViolations({
      service: 'mixed',
      entities: [Order, Refund, Invoice],
    });
    expect(violations.map((v) => `${v.kind}:${v.entity}`).sort()).toEqual([
      'foreign-key:Refund',
      'foreign-table:Invoice',
      'relation:Order',
    ]);
  });
});
