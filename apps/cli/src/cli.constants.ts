/** Where the generated Marathon definitions are committed, relative to the repository root. */
export const MARATHON_DEFINITIONS_DIR = 'docker/marathon';
