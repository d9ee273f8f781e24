/**
 * Bounds on every GraphQL operation (issue 12: one 41 KB query of 200 aliased pages ran 31 s and
 * took 600 MB). Checked on the document before anything executes, with graphql-armor (tokens while
 * parsing — which also bounds the parser's recursion — depth, aliases, directives) and our own cost
 * rule (`cost.ts`, pages priced by `first`). A document over a bound is a 400 with a GraphQL error.
 */
export const GRAPHQL_LIMITS = {
  /** Lexical tokens in the document: a full page query with every relation is about 100. */
  maxTokens: 2000,
  /** Nesting of selections: the schema's deepest path (orders.nodes.items.menuItem.price.amount) is 6. */
  maxDepth: 10,
  /** Aliased fields per operation. */
  maxAliases: 15,
  /** Directives per operation. */
  maxDirectives: 20,
  /** Objects a query may resolve (see cost.ts): one page of 100 orders with every relation is ~8,700. */
  maxCost: 10_000,
} as const;
