import { realServersUp } from '../infra';

/** Jest globalSetup of the integration project: real servers up, their addresses in the env. */
export default async function integrationGlobalSetup(): Promise<void> {
  process.stdout.write('\n');
  await realServersUp();
}
