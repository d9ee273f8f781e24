/**
 * Problem 4 — N+1 and over-fetching. List N orders with everything nested, for several N, and
 * record the SQL statements each request issued (as the server counts them through the Drizzle
 * logger) and the bytes it returned. Two sizes give the straight line statements = base + N·k:
 * v1 shows base 1 and k > 0; v2 must be constant in N.
 */
import type { DemoParty, ListResult, ScenarioContext } from './types';

export interface ListStatementsOptions {
  sizes?: number[];
  as?: DemoParty;
}

export interface ListStatementsOutcome {
  scenario: 'list-statements';
  surface: string;
  as: DemoParty;
  runs: (ListResult & { n: number })[];
  /** The line through the first and last run (null with fewer than two sizes or no counts). */
  fit: { base: number; perOrder: number } | null;
  evidence: string[];
}

export async function listStatementsScenario(
  ctx: ScenarioContext,
  options: ListStatementsOptions = {},
): Promise<ListStatementsOutcome> {
  const { sizes = [10, 50], as = 'admin' } = options;
  const session = await ctx.adapter.login(ctx.http, as, ctx.world.accounts[as]);
  const runs: ListStatementsOutcome['runs'] = [];
  for (const n of sizes) runs.push({ n, ...(await ctx.adapter.listOrders(ctx.http, session, n)) });

  const first = runs[0];
  const last = runs[runs.length - 1];
  const fit =
    first && last && last.n !== first.n && first.statements !== null && last.statements !== null
      ? (() => {
          const perOrder = (last.statements - first.statements) / (last.n - first.n);
          return { perOrder, base: first.statements - first.n * perOrder };
        })()
      : null;
  return {
    scenario: 'list-statements',
    surface: ctx.adapter.surface,
    as,
    runs,
    fit,
    evidence: [
      ...runs.map(
        (r) =>
          `N=${r.n}: ${r.method} ${r.path} → ${r.status}, ${r.returned} orders, ` +
          `${r.statements ?? '?'} SQL statements, ${r.bytes} bytes`,
      ),
      ...(fit ? [`statements = ${fit.base} + N·${fit.perOrder}`] : []),
    ],
  };
}
