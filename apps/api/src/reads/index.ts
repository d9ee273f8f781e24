/** The read layer's public surface (used by the routes, tRPC, GraphQL and the bench's baseline). */
export * from './cursor';
export * from './fieldsets';
export * from './nested';
export * from './order-query';
export * from './order-reads';
export * from './paging';
export * from './restaurant-reads';
