export * from './infra';
export * from './bench';
export * from './network';
export * from './docker';
export * from './wait';
export * from './process';
export * from './logging';
export * from './kafka';
