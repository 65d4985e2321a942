export * from './infra';
export * from './bench';
