export * from './api-process';
export * from './ports';
export * from './private-services';
export * from './processes';
export * from './wait';
