export * from './infra';
export * from './bench';
export * from './network';
export * from './docker';
export * from './cli';
export * from './wait';
export * from './process';
