import { infraUp } from '../infra';

/** Jest globalSetup of the integration project: real servers up, their addresses in the env. */
export default async function integrationGlobalSetup(): Promise<void> {
  process.stdout.write('\n');
  const env = await infraUp();
  Object.assign(process.env, env);
}
