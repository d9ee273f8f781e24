export * from './bulk-orders';
export * from './client';
export * from './password';
export * from './schema';
export * from './seed';
export * from './statement-counter';
