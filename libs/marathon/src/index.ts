export { MarathonModule } from './marathon.module';
