/**
 * `pnpm demo`: the five problems of v1 and their v2 fixes, side by side. Runs the reusable
 * scenarios (apps/api/src/scenarios) against v1 and then v2 of one running API and judges each
 * v2 outcome; the CLI (main.ts) prints the table and exits non-zero when any v2 outcome is wrong.
 */
import { invalidTransitionScenario } from './scenarios/invalid-transition.scenario';
import { listStatementsScenario } from './scenarios/list-statements.scenario';
import { oldClientScenario } from './scenarios/old-client.scenario';
import { racingCancelAcceptScenario } from './scenarios/racing-cancel-accept.scenario';
import { retriedPaymentScenario } from './scenarios/retried-payment.scenario';
import type { HttpTarget, ProviderLedger, ScenarioWorld } from './scenarios/types';
import { v1Adapter } from './scenarios/v1.adapter';
import { v2Adapter } from './scenarios/v2.adapter';

export interface DemoRow {
  scenario: string;
  v1: string;
  v2: string;
  evidence: string;
  /** Whether v2's outcome is the fix SPEC.md asks for. */
  v2Correct: boolean;
}

export interface DemoContext {
  http: HttpTarget;
  world: ScenarioWorld;
  ledger: ProviderLedger;
}

const statuses = (xs: { status: number }[]) => xs.map((x) => x.status).join(', ');

export async function runDemo(ctx: DemoContext): Promise<DemoRow[]> {
  const v1 = { ...ctx, adapter: v1Adapter };
  const v2 = { ...ctx, adapter: v2Adapter };
  const rows: DemoRow[] = [];

  {
    const [a, b] = [await invalidTransitionScenario(v1), await invalidTransitionScenario(v2)];
    rows.push({
      scenario: '1. cancel after delivery',
      v1: `${a.response.status}: ${a.from} → ${a.final.status}${a.providerRefunds ? ', meal refunded' : ''}`,
      v2: `${b.response.status} ${(b.response.body as { code?: string })?.code ?? ''}: stays ${b.final.status}`,
      evidence: `allowedActions ${JSON.stringify((b.response.body as { allowedActions?: unknown })?.allowedActions ?? null)}; v1 accepted an invalid transition: ${a.invalidTransitionAccepted ? 'yes' : 'no'}`,
      v2Correct: b.response.status === 409 && !b.invalidTransitionAccepted && b.final.status === b.from,
    });
  }
  {
    const [a, b] = [await retriedPaymentScenario(v1), await retriedPaymentScenario(v2)];
    const replayed = b.attempts[1].status === b.attempts[0].status;
    rows.push({
      scenario: '2. payment retried',
      v1: `${statuses(a.attempts)}: ${a.providerCharges} charges`,
      v2: `${statuses(b.attempts)}: ${b.providerCharges} charge`,
      evidence: `provider ledger: v1 charged ${a.totalCharged}, v2 charged ${b.totalCharged} (same intent key)`,
      v2Correct: b.providerCharges === 1 && !b.doubleCharged && b.attempts[0].status === 200 && replayed,
    });
  }
  {
    const [a, b] = [await racingCancelAcceptScenario(v1), await racingCancelAcceptScenario(v2)];
    rows.push({
      scenario: '3. cancel races accept',
      v1: `cancel ${a.responses.cancel.status}, accept ${a.responses.accept.status}: lost update ${a.lostUpdate ? 'yes' : 'no'}`,
      v2: `cancel ${b.responses.cancel.status}, accept ${b.responses.accept.status}: lost update ${b.lostUpdate ? 'yes' : 'no'}`,
      evidence: `final v1 ${a.final.status}@v${a.final.version}${a.lostAction ? ` (${a.lostAction} lost)` : ''}; v2 ${b.final.status}@v${b.final.version}`,
      v2Correct: b.succeeded.length === 1 && !b.lostUpdate && b.final.version === b.start.version + 1,
    });
  }
  {
    const sizes = [10, 50];
    const [a, b] = [await listStatementsScenario(v1, { sizes }), await listStatementsScenario(v2, { sizes })];
    const show = (o: typeof a) =>
      o.runs.map((r) => `N=${r.n}: ${r.statements ?? '?'} SQL, ${Math.round(r.bytes / 1024)} KiB`).join('; ');
    const v2Counts = b.runs.map((r) => r.statements);
    rows.push({
      scenario: '4. list 50 orders, nested',
      v1: show(a),
      v2: show(b),
      evidence: a.fit
        ? `v1 statements = ${a.fit.base} + N·${a.fit.perOrder}; v2 constant in N`
        : 'v1 statement count unavailable',
      v2Correct:
        b.runs.every((r) => r.status === 200 && r.returned === r.n) &&
        v2Counts.every((c) => c !== null && c === v2Counts[0]),
    });
  }
  {
    const o = await oldClientScenario(ctx);
    rows.push({
      scenario: '5. old v1 client after v2',
      v1: `${o.v1.status}, v1 shape ${o.v1.shapeIntact ? 'intact' : 'broken'}`,
      v2: `successor ${o.successor.path ?? '-'} → ${o.successor.status ?? '-'}`,
      evidence: `Deprecation: ${o.headers.deprecation ?? '-'}; Sunset: ${o.headers.sunset ?? '-'}`,
      v2Correct: o.versioned,
    });
  }
  return rows;
}

/** The widest line `pnpm demo` prints: readable in a 120-column terminal. */
export const DEMO_WIDTH = 120;

const LABEL_WIDTH = 14; // '   evidence   '

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && [...line].length + 1 + [...word].length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/**
 * One block per scenario — its v1 outcome, its v2 outcome (✔ when it is the fix, ✘ when not) and
 * the evidence — each value wrapped under its label so no line is wider than `width`:
 *
 *     1. cancel after delivery
 *        v1          200: delivered → cancelled, meal refunded
 *        v2 ✔        409 INVALID_TRANSITION: stays delivered
 *        evidence    allowedActions []; v1 accepted an invalid transition: yes
 */
export function formatDemoTable(rows: DemoRow[], width = DEMO_WIDTH): string {
  const field = (label: string, value: string) =>
    wrap(value, width - LABEL_WIDTH).map(
      (text, i) => `${(i === 0 ? `   ${label}` : '').padEnd(LABEL_WIDTH)}${text}`,
    );
  return rows
    .map((r) =>
      [
        r.scenario,
        ...field('v1', r.v1),
        ...field(`v2 ${r.v2Correct ? '✔' : '✘'}`, r.v2),
        ...field('evidence', r.evidence),
      ].join('\n'),
    )
    .join('\n\n');
}
