export * from './api-process';
export * from './ports';
export * from './processes';
export * from './wait';
