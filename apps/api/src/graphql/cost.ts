/**
 * A query's cost, priced the way the resolvers spend it: every object a query resolves counts once
 * per parent row, and a list multiplies the rows below it — by `first` for a paged connection (a
 * variable is priced at the largest page, since validation runs before variables are known and is
 * cached per document) and by `LIST_FANOUT` for the unpaged lists (items, events, menu items).
 * One page of 100 orders with every relation costs about 8,700; 200 aliases of it cost 1.7 million.
 *
 * Types are read structurally (their printed form, `getFields`), never with graphql's `is…Type`
 * helpers: yoga validates with the CJS copy of graphql, and the ESM copy's `instanceof` checks
 * refuse its objects (the dual-package hazard, see index.ts).
 */
import { MAX_PAGE_SIZE } from '@quickeats/domain';
import type { ASTVisitor, FieldNode, SelectionSetNode, ValidationContext } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

/** Rows assumed per parent for a list without `first`: an order's items/events, a restaurant's menu. */
export const LIST_FANOUT = 10;
/** Default `first` of the paged root fields (the schema's `first: Int = 20`). */
const DEFAULT_PAGE = 20;

interface ObjectTypeLike {
  getFields(): Record<string, { type: unknown; args: readonly { name: string }[] }>;
}

const isObjectTypeLike = (t: unknown): t is ObjectTypeLike =>
  typeof (t as { getFields?: unknown })?.getFields === 'function';
/** `[Order!]!` → list; `OrderConnection!` → not. */
const isList = (type: unknown) => String(type).replace(/!$/, '').startsWith('[');
const namedTypeName = (type: unknown) => String(type).replace(/[[\]!]/g, '');

function pageSizeOf(field: FieldNode): number | undefined {
  const first = field.arguments?.find((a) => a.name.value === 'first');
  if (!first) return undefined;
  if (first.value.kind === 'IntValue') return Math.min(Math.max(Number(first.value.value), 0), MAX_PAGE_SIZE);
  return MAX_PAGE_SIZE; // a variable: the worst case
}

export function queryCost(context: ValidationContext, root: SelectionSetNode, rootTypeName: string): number {
  const schema = context.getSchema();
  let cost = 0;
  const walk = (
    set: SelectionSetNode,
    typeName: string,
    rows: number,
    page: number | undefined,
    depth: number,
  ) => {
    const parent = schema.getType(typeName);
    if (!isObjectTypeLike(parent) || depth > 64) return; // deeper than that is refused by max depth anyway
    for (const selection of set.selections) {
      if (selection.kind === 'InlineFragment') {
        walk(selection.selectionSet, typeName, rows, page, depth + 1);
        continue;
      }
      if (selection.kind === 'FragmentSpread') {
        const fragment = context.getFragment(selection.name.value);
        if (fragment) walk(fragment.selectionSet, typeName, rows, page, depth + 1);
        continue;
      }
      const def = parent.getFields()[selection.name.value];
      if (!def || !selection.selectionSet) continue; // scalars are free; unknown fields fail validation
      const ownPage =
        pageSizeOf(selection) ?? (def.args.some((a) => a.name === 'first') ? DEFAULT_PAGE : undefined);
      const fieldRows = isList(def.type) ? rows * (page ?? LIST_FANOUT) : rows;
      cost += fieldRows;
      walk(selection.selectionSet, namedTypeName(def.type), fieldRows, ownPage, depth + 1);
    }
  };
  walk(root, rootTypeName, 1, undefined, 0);
  return cost;
}

/** Validation rule refusing operations that cost more than `maxCost`. */
export function costLimitRule(maxCost: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const rootType =
        operation.operation === 'query'
          ? schema.getQueryType()
          : operation.operation === 'mutation'
            ? schema.getMutationType()
            : schema.getSubscriptionType();
      if (!rootType) return;
      const cost = queryCost(context, operation.selectionSet, rootType.name);
      if (cost > maxCost) {
        context.reportError(
          createGraphQLError(
            `Query cost ${cost} exceeds the limit of ${maxCost} (lists are priced by \`first\`; ask for fewer rows or relations)`,
            { nodes: [operation], extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost } },
          ) as never,
        );
      }
    },
  });
}

/** Production: no `__schema`/`__type` (graphql's NoSchemaIntrospectionCustomRule, read structurally). */
export function noIntrospectionRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        context.reportError(
          createGraphQLError('GraphQL introspection is disabled', {
            nodes: [node],
            extensions: { code: 'INTROSPECTION_DISABLED' },
          }) as never,
        );
      }
    },
  };
}
