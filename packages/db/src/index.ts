export * from './client';
export * from './demo-world';
export * from './password';
export * from './pool-demand';
export * from './schema';
export * from './seed';
export * from './statement-counter';
export * from './statement-observer';
