export const COURSEWARE_SERVICE = 'courseware';
export const COURSEWARE_DEFAULT_PORT = 3000;
