import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger';

const eur = (amount: number) => ({ amount, currency: 'EUR' });

describe('Ledger charges', () => {
  it('Should create a charge for a new key and replay it for the same key and body', () => {
    const ledger = new Ledger();
    const first = ledger.charge('k1', { orderId: 'o1', amount: eur(1250) });
    const again = ledger.charge('k1', { orderId: 'o1', amount: eur(1250) });

    expect(first.kind).toBe('created');
    expect(again.kind).toBe('replayed');
    if (first.kind !== 'created' || again.kind !== 'replayed') return;
    expect(again.charge).toEqual(first.charge);
    expect(first.charge).toMatchObject({
      idempotencyKey: 'k1',
      orderId: 'o1',
      amount: eur(1250),
      status: 'succeeded',
    });
    expect(ledger.snapshot().charges).toHaveLength(1);
  });

  it('Should refuse a known key sent with a different body, and record nothing', () => {
    const ledger = new Ledger();
    ledger.charge('k1', { orderId: 'o1', amount: eur(1250) });
    // A different amount under the same key is a client bug, never a second charge.
    expect(ledger.charge('k1', { orderId: 'o1', amount: eur(1300) })).toEqual({ kind: 'key-reused' });
    expect(ledger.charge('k1', { orderId: 'o2', amount: eur(1250) })).toEqual({ kind: 'key-reused' });
    expect(ledger.snapshot().charges).toHaveLength(1);
  });

  it('Should create a separate charge for each new key', () => {
    const ledger = new Ledger();
    const a = ledger.charge('k1', { orderId: 'o1', amount: eur(100) });
    const b = ledger.charge('k2', { orderId: 'o1', amount: eur(100) });
    if (a.kind !== 'created' || b.kind !== 'created') throw new Error('expected two new charges');
    expect(a.charge.id).not.toBe(b.charge.id);
    expect(ledger.snapshot().charges.map((c) => c.idempotencyKey)).toEqual(['k1', 'k2']);
  });

  it('Should find a charge by key, and nothing for an unknown key', () => {
    const ledger = new Ledger();
    ledger.charge('k1', { orderId: 'o1', amount: eur(100) });
    expect(ledger.findChargeByKey('k1')?.orderId).toBe('o1');
    expect(ledger.findChargeByKey('nope')).toBeNull();
  });

  it('Should hand out copies, so changing a result leaves the books alone', () => {
    const ledger = new Ledger();
    const outcome = ledger.charge('k1', { orderId: 'o1', amount: eur(100) });
    if (outcome.kind !== 'created') throw new Error('expected a new charge');
    outcome.charge.amount.amount = 1;
    expect(ledger.findChargeByKey('k1')?.amount.amount).toBe(100);
  });

  it('Should not reuse charge ids after clear', () => {
    // Ids kept by a test from before a reset must not name a new charge.
    const ledger = new Ledger();
    const before = ledger.charge('k1', { orderId: 'o1', amount: eur(100) });
    ledger.clear();
    expect(ledger.snapshot()).toEqual({ charges: [], refunds: [] });
    const after = ledger.charge('k1', { orderId: 'o1', amount: eur(100) });
    if (before.kind !== 'created' || after.kind !== 'created') throw new Error('expected new charges');
    expect(after.charge.id).not.toBe(before.charge.id);
  });
});

describe('Ledger refunds', () => {
  function charged(amount = 1000) {
    const ledger = new Ledger();
    const outcome = ledger.charge('pay', { orderId: 'o1', amount: eur(amount) });
    if (outcome.kind !== 'created') throw new Error('expected a new charge');
    return { ledger, chargeId: outcome.charge.id };
  }

  it('Should refund once per key and mark a fully refunded charge', () => {
    const { ledger, chargeId } = charged(1000);
    const first = ledger.refund('r1', { chargeId, amount: eur(1000) });
    const again = ledger.refund('r1', { chargeId, amount: eur(1000) });

    expect(first.kind).toBe('created');
    expect(again.kind).toBe('replayed');
    if (first.kind !== 'created' || again.kind !== 'replayed') return;
    expect(again.refund.id).toBe(first.refund.id);
    expect(ledger.snapshot().refunds).toHaveLength(1);
    expect(ledger.findChargeByKey('pay')?.status).toBe('refunded');
  });

  it('Should keep a partly refunded charge succeeded and refuse refunds beyond the rest', () => {
    const { ledger, chargeId } = charged(1000);
    expect(ledger.refund('r1', { chargeId, amount: eur(600) }).kind).toBe('created');
    expect(ledger.findChargeByKey('pay')?.status).toBe('succeeded');
    // 600 of 1000 are refunded; 500 more would return more than was charged.
    expect(ledger.refund('r2', { chargeId, amount: eur(500) })).toEqual({
      kind: 'exceeds-charge',
      refundable: 400,
    });
    expect(ledger.refund('r3', { chargeId, amount: eur(400) }).kind).toBe('created');
    expect(ledger.findChargeByKey('pay')?.status).toBe('refunded');
    expect(ledger.snapshot().refunds.map((r) => r.amount.amount)).toEqual([600, 400]);
  });

  it('Should replay a refund by its key even after the charge was fully refunded', () => {
    // The key is looked up before the refundable rest: a retry of a refund that succeeded must not
    // turn into "exceeds charge".
    const { ledger, chargeId } = charged(1000);
    ledger.refund('r1', { chargeId, amount: eur(1000) });
    expect(ledger.refund('r1', { chargeId, amount: eur(1000) }).kind).toBe('replayed');
  });

  it('Should refuse a refund of an unknown charge, in another currency, or with a reused key', () => {
    const { ledger, chargeId } = charged(1000);
    expect(ledger.refund('r1', { chargeId: 'ch_missing', amount: eur(1) })).toEqual({
      kind: 'charge-not-found',
    });
    expect(ledger.refund('r2', { chargeId, amount: { amount: 1, currency: 'USD' } })).toEqual({
      kind: 'currency-mismatch',
      chargeCurrency: 'EUR',
    });
    ledger.refund('r3', { chargeId, amount: eur(10) });
    expect(ledger.refund('r3', { chargeId, amount: eur(20) })).toEqual({ kind: 'key-reused' });
    expect(ledger.snapshot().refunds).toHaveLength(1);
  });
});

describe('Ledger journal (PROVIDER_LEDGER_FILE)', () => {
  it('Should replay every charge and refund in a new ledger on the same file, keys and refundable rest included', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'qe-ledger-')), 'ledger.jsonl');
    const first = new Ledger({ journal: file });
    const charged = first.charge('k1', { orderId: 'o1', amount: eur(1000) });
    if (charged.kind !== 'created') throw new Error('not created');
    first.refund('r1', { chargeId: charged.charge.id, amount: eur(400) });
    // A process killed in the middle of writing its last line: that answer never left.
    appendFileSync(file, '{"kind":"charge","key":"k2"');

    const restarted = new Ledger({ journal: file });
    expect(restarted.snapshot()).toEqual(first.snapshot());
    expect(restarted.findChargeByKey('k1')).toEqual(charged.charge);
    expect(restarted.charge('k1', { orderId: 'o1', amount: eur(1000) })).toEqual({
      kind: 'replayed',
      charge: charged.charge,
    });
    expect(restarted.refund('r2', { chargeId: charged.charge.id, amount: eur(700) })).toEqual({
      kind: 'exceeds-charge',
      refundable: 600,
    });
    expect(restarted.refund('r1', { chargeId: charged.charge.id, amount: eur(400) }).kind).toBe('replayed');

    restarted.clear();
    expect(new Ledger({ journal: file }).snapshot()).toEqual({ charges: [], refunds: [] });
  });
});
