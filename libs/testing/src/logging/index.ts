export { silenceNestLogger } from './silence-nest-logger';
