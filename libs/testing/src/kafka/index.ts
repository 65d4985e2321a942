export { createTestTopics } from './test-topics';
