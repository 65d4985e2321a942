export const SHEPHERD_SERVICE = 'shepherd';
export const SHEPHERD_DEFAULT_PORT = 3200;

/** Injection tokens of the shepherd's ports (what it reads and what it scales). */
export const SHEPHERD_CONFIG = Symbol('shepherd:config');
export const SCALING_TARGET = Symbol('shepherd:scaling-target');
export const HERD_DIRECTORY = Symbol('shepherd:herd-directory');
export const METRICS_SOURCE = Symbol('shepherd:metrics-source');
export const LAG_SOURCE = Symbol('shepherd:lag-source');
export const SAGA_STATES_SOURCE = Symbol('shepherd:saga-states-source');
