/**
 * An in-memory payment provider tests can steer: hold the next charge at the provider's door (to
 * catch a request in flight), or make charges fail the way the real adapter reports failures.
 */
import { type Charge, InMemoryPaymentProvider, type Money, PaymentProviderError } from '@quickeats/domain';

export interface Hold {
  /** Resolves once a charge is waiting at the door. */
  reached: Promise<void>;
  /** Let it through (it is then charged normally). */
  release(): void;
}

export class ControllableProvider extends InMemoryPaymentProvider {
  private holds: { arrive(): void; released: Promise<void> }[] = [];
  private failures: PaymentProviderError[] = [];
  /** Every charge call that reached the provider, failed ones included. */
  chargeCalls = 0;

  /** The next charge waits until released. */
  holdNextCharge(): Hold {
    let arrive!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((r) => {
      arrive = r;
    });
    const released = new Promise<void>((r) => {
      release = r;
    });
    this.holds.push({ arrive, released });
    return { reached, release };
  }

  /** The next `times` charges fail before charging (`outcomeUnknown` as the adapter would say). */
  failNextCharges(times: number, outcomeUnknown: boolean): void {
    for (let i = 0; i < times; i++)
      this.failures.push(new PaymentProviderError('injected provider failure', outcomeUnknown));
  }

  chargesFor(orderId: string): Charge[] {
    return [...this.charges.values()].filter((c) => c.orderId === orderId);
  }

  override async charge(req: { idempotencyKey: string; orderId: string; amount: Money }): Promise<Charge> {
    this.chargeCalls++;
    const hold = this.holds.shift();
    if (hold) {
      hold.arrive();
      await hold.released;
    }
    const failure = this.failures.shift();
    if (failure) throw failure;
    return super.charge(req);
  }
}
