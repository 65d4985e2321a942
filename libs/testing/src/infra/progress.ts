export type ProgressReporter = (step: string, message: string) => void;

export const consoleProgress: ProgressReporter = (step, message) => {
  process.stdout.write(`[herd infra] ${step}: ${message}\n`);
};

export const silentProgress: ProgressReporter = () => undefined;
