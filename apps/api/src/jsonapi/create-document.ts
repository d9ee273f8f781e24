/**
 * `POST /api/v2/orders` with `Content-Type: application/vnd.api+json`: a JSON:API 1.1 resource
 * document (https://jsonapi.org/format/#crud-creating) →  the service's `CreateOrderInput`.
 *
 * ```json
 * { "data": { "type": "orders",
 *             "attributes": { "lines": [{ "menuItemId": "…", "quantity": 2 }], "note": "…" },
 *             "relationships": { "restaurant": { "data": { "type": "restaurants", "id": "…" } } } } }
 * ```
 *
 * The restaurant is a relationship; the lines are an attribute named `lines` (not `items`: an order
 * resource already has an `items` relationship to its `order-items`, and JSON:API gives attributes
 * and relationships one namespace). What the specification demands of a create:
 * - `data.type` not `orders` → 409 (`RESOURCE_TYPE_CONFLICT`);
 * - a client-generated `data.id` → 403 (`CLIENT_ID_UNSUPPORTED`: the server assigns ids); `lid` is allowed;
 * - a related resource that does not exist (the restaurant) → 404.
 * Everything else that is wrong is a 400 naming the member (`data.attributes.lines.0.quantity`).
 */
import { z } from '@hono/zod-openapi';
import {
  type CreateOrderInput,
  CreateOrderInputSchema,
  DomainError,
  type FieldError,
  IdSchema,
} from '@quickeats/domain';
import { validationError } from '../http/problem';

export const ORDERS_TYPE = 'orders';

const MetaSchema = z.record(z.string(), z.unknown()).describe('Non-standard meta-information (ignored)');

export const OrderCreateResourceSchema = z
  .strictObject({
    type: z.literal(ORDERS_TYPE),
    lid: z.string().optional().describe('A local id identifying the new resource within this document'),
    attributes: z.strictObject({
      lines: CreateOrderInputSchema.shape.items.describe(
        'What is ordered: menu items of the related restaurant, each at most once, with a quantity',
      ),
      note: CreateOrderInputSchema.shape.note,
    }),
    relationships: z.strictObject({
      restaurant: z
        .strictObject({ data: z.strictObject({ type: z.literal('restaurants'), id: IdSchema }) })
        .describe('The restaurant ordered from (404 when it does not exist)'),
    }),
    meta: MetaSchema.optional(),
  })
  .describe(
    'A new order. No `id`: the server assigns it (a client-generated id is refused with 403). ' +
      '`type` other than `orders` → 409.',
  )
  .openapi('OrderCreateResource');

export const OrderCreateDocumentSchema = z
  .strictObject({
    data: OrderCreateResourceSchema,
    jsonapi: z.object({ version: z.string().optional() }).optional(),
    meta: MetaSchema.optional(),
  })
  .openapi('OrderCreateDocument');

export type OrderCreateDocument = z.infer<typeof OrderCreateDocumentSchema>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON:API create document → the service input, or the refusal JSON:API prescribes. */
export function createInputFromDocument(body: unknown): CreateOrderInput {
  const data = isObject(body) ? body.data : undefined;
  if (isObject(data)) {
    if (typeof data.type === 'string' && data.type !== ORDERS_TYPE) {
      throw new DomainError(
        'RESOURCE_TYPE_CONFLICT',
        `This collection holds resources of type "${ORDERS_TYPE}", not "${data.type}"`,
        { errors: [{ field: 'data.type', message: `must be "${ORDERS_TYPE}"` }] },
      );
    }
    if ('id' in data) {
      throw new DomainError('CLIENT_ID_UNSUPPORTED', undefined, {
        errors: [{ field: 'data.id', message: 'leave it out (use lid to name the resource locally)' }],
      });
    }
  }
  const parsed = OrderCreateDocumentSchema.safeParse(body);
  if (!parsed.success) {
    const error = validationError(parsed.error, 'body');
    if (isObject(body) && !('data' in body)) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'A request sent as application/vnd.api+json is a JSON:API document: {"data":{"type":"orders",…}}. ' +
          'Send the flat body ({"restaurantId",…}) as application/json.',
        error.extras,
      );
    }
    throw error;
  }
  const { attributes, relationships } = parsed.data.data;
  return {
    restaurantId: relationships.restaurant.data.id,
    items: attributes.lines,
    ...(attributes.note === undefined ? {} : { note: attributes.note }),
  };
}

/** Service field names (`items.0.menuItemId`) → members of the document (`data.attributes.lines.0.menuItemId`). */
function documentField(field: string): string {
  if (field === 'restaurantId') return 'data.relationships.restaurant.data.id';
  return field.replace(/^(items|note)\b/, (m) => `data.attributes.${m === 'items' ? 'lines' : m}`);
}

/**
 * A refusal of the service, told in the document's terms; a restaurant that does not exist is the
 * 404 JSON:API requires for a related resource that does not exist.
 */
export async function inDocumentTerms(
  error: unknown,
  input: CreateOrderInput,
  restaurantExists: (id: string) => Promise<boolean>,
): Promise<unknown> {
  if (!(error instanceof DomainError)) return error;
  if (error.code === 'UNPROCESSABLE' && !(await restaurantExists(input.restaurantId))) {
    return new DomainError('NOT_FOUND', `No restaurant ${input.restaurantId}`, {
      errors: [{ field: 'data.relationships.restaurant', message: 'related resource does not exist' }],
    });
  }
  const errors = error.extras.errors as FieldError[] | undefined;
  if (!errors) return error;
  return new DomainError(error.code, error.message, {
    ...error.extras,
    errors: errors.map((e) => ({ ...e, field: documentField(e.field) })),
  });
}

/** Whether a body sent as application/json looks like a JSON:API document (for a helpful detail). */
export function looksLikeDocument(body: unknown): boolean {
  return isObject(body) && isObject(body.data) && typeof body.data.type === 'string';
}
