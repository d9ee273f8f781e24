/**
 * The fake provider's books: charges and refunds kept in memory, each created at most once per
 * idempotency key. Every method is synchronous on purpose: the lookup of a key and the insert of its
 * record happen in one turn of the event loop, so no concurrent request can slip in between them —
 * however many requests with one key arrive together and whatever latency the faults add before.
 * Keep it that way: an `await` between check and insert would bring back the double charge.
 *
 * With a journal file (PROVIDER_LEDGER_FILE) every new charge and refund is appended to it —
 * synchronously, before the answer leaves — and a new process replays it: the provider can be
 * killed (fault tests kill it right after it charged) and come back knowing every charge, like a
 * real provider whose books survive its crash.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Charge, Refund } from '@quickeats/domain';
import { requestFingerprint } from '@quickeats/domain';
import type { ChargeRequest, LedgerSnapshot, RefundRequest } from './wire';

export type ChargeOutcome =
  | { kind: 'created'; charge: Charge }
  | { kind: 'replayed'; charge: Charge }
  /** The key is known but was first used with a different body (Stripe answers 422). */
  | { kind: 'key-reused' };

export type RefundOutcome =
  | { kind: 'created'; refund: Refund }
  | { kind: 'replayed'; refund: Refund }
  | { kind: 'key-reused' }
  | { kind: 'charge-not-found' }
  | { kind: 'currency-mismatch'; chargeCurrency: string }
  | { kind: 'exceeds-charge'; refundable: number };

interface Keyed<T> {
  record: T;
  /** What "the same request" means for a replay: SHA-256 over route and canonical body. */
  fingerprint: string;
}

/** One line of the journal. */
type JournalEntry =
  | { kind: 'charge'; key: string; fingerprint: string; charge: Charge }
  | { kind: 'refund'; key: string; fingerprint: string; refund: Refund };

export class Ledger {
  private readonly chargesByKey = new Map<string, Keyed<Charge>>();
  private readonly chargesById = new Map<string, Charge>();
  private readonly refundsByKey = new Map<string, Keyed<Refund>>();
  /** Charge id → sum of its refunds, so the refundable rest is one subtraction. */
  private readonly refundedById = new Map<string, number>();
  private readonly journal: string | undefined;

  /** `journal`: a file to append every charge and refund to, replayed first if it exists. */
  constructor(options: { journal?: string | undefined } = {}) {
    this.journal = options.journal;
    if (!this.journal || !existsSync(this.journal)) return;
    for (const line of readFileSync(this.journal, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        continue; // the last line of a process killed while writing it: that answer never left
      }
      if (entry.kind === 'charge') this.addCharge(entry.key, entry.fingerprint, entry.charge);
      else this.addRefund(entry.key, entry.fingerprint, entry.refund);
    }
  }

  private record(entry: JournalEntry): void {
    if (this.journal) appendFileSync(this.journal, `${JSON.stringify(entry)}\n`);
  }

  private addCharge(key: string, fingerprint: string, charge: Charge): void {
    this.chargesByKey.set(key, { record: charge, fingerprint });
    this.chargesById.set(charge.id, charge);
  }

  private addRefund(key: string, fingerprint: string, refund: Refund): void {
    this.refundsByKey.set(key, { record: refund, fingerprint });
    const charge = this.chargesById.get(refund.chargeId);
    const refunded = (this.refundedById.get(refund.chargeId) ?? 0) + refund.amount.amount;
    this.refundedById.set(refund.chargeId, refunded);
    // Like Stripe's `refunded` flag: only a charge refunded in full counts as refunded.
    if (charge && refunded === charge.amount.amount) charge.status = 'refunded';
  }

  charge(idempotencyKey: string, req: ChargeRequest): ChargeOutcome {
    const fingerprint = requestFingerprint({ method: 'POST', route: '/v1/charges', body: req });
    const known = this.chargesByKey.get(idempotencyKey);
    if (known) {
      return known.fingerprint === fingerprint
        ? { kind: 'replayed', charge: copy(known.record) }
        : { kind: 'key-reused' };
    }
    const charge: Charge = {
      id: newId('ch'),
      idempotencyKey,
      orderId: req.orderId,
      amount: { ...req.amount },
      status: 'succeeded',
      createdAt: new Date().toISOString(),
    };
    this.record({ kind: 'charge', key: idempotencyKey, fingerprint, charge });
    this.addCharge(idempotencyKey, fingerprint, charge);
    return { kind: 'created', charge: copy(charge) };
  }

  refund(idempotencyKey: string, req: RefundRequest): RefundOutcome {
    const fingerprint = requestFingerprint({ method: 'POST', route: '/v1/refunds', body: req });
    // The key is checked first: a replay must answer the same even if the charge changed since.
    const known = this.refundsByKey.get(idempotencyKey);
    if (known) {
      return known.fingerprint === fingerprint
        ? { kind: 'replayed', refund: copy(known.record) }
        : { kind: 'key-reused' };
    }
    const charge = this.chargesById.get(req.chargeId);
    if (!charge) return { kind: 'charge-not-found' };
    if (charge.amount.currency !== req.amount.currency) {
      return { kind: 'currency-mismatch', chargeCurrency: charge.amount.currency };
    }
    const alreadyRefunded = this.refundedById.get(charge.id) ?? 0;
    const refundable = charge.amount.amount - alreadyRefunded;
    if (req.amount.amount > refundable) return { kind: 'exceeds-charge', refundable };

    const refund: Refund = {
      id: newId('re'),
      chargeId: charge.id,
      idempotencyKey,
      amount: { ...req.amount },
      createdAt: new Date().toISOString(),
    };
    this.record({ kind: 'refund', key: idempotencyKey, fingerprint, refund });
    this.addRefund(idempotencyKey, fingerprint, refund);
    return { kind: 'created', refund: copy(refund) };
  }

  findChargeByKey(idempotencyKey: string): Charge | null {
    const known = this.chargesByKey.get(idempotencyKey);
    return known ? copy(known.record) : null;
  }

  /** Every charge and refund, oldest first (Map iteration is insertion order). */
  snapshot(): LedgerSnapshot {
    return {
      charges: [...this.chargesById.values()].map(copy),
      refunds: [...this.refundsByKey.values()].map((r) => copy(r.record)),
    };
  }

  clear(): void {
    this.chargesByKey.clear();
    this.chargesById.clear();
    this.refundsByKey.clear();
    this.refundedById.clear();
    if (this.journal) writeFileSync(this.journal, '');
  }
}

/**
 * Random ids, not a counter: after `POST /v1/reset` a counter would hand out `ch_1` again, and an id a
 * test kept from before the reset would silently name a different charge.
 */
function newId(prefix: 'ch' | 're'): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** Callers get copies, so a later refund cannot change a response already being sent. */
function copy<T>(value: T): T {
  return structuredClone(value);
}
