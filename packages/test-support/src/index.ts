export * from './api-process';
export * from './fresh-fetch';
export * from './ports';
export * from './private-services';
export * from './processes';
export * from './topology';
export * from './wait';
