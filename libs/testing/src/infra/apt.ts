import { runLogged } from './processes';

/** `apt-get install`, refreshing the package lists once only when the first try fails. */
export async function aptInstall(packages: string[], logFile: string): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', '-q', '--no-install-recommends', ...packages];
  const step = `apt-get install ${packages.join(' ')}`;
  try {
    await runLogged('apt-get', install, { step, logFile, env });
  } catch {
    await runLogged('apt-get', ['update', '-q'], { step: 'apt-get update', logFile, env });
    await runLogged('apt-get', install, { step, logFile, env });
  }
}
