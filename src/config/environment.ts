/**
 * The one place that reads the process environment. Everything else receives validated
 * configuration sections through `@nestjs/config` (see the `*.config.ts` files beside this one).
 */
export type Environment = Readonly<Record<string, string | undefined>>;

export function readEnvironment(): Environment {
  return { ...process.env };
}

/** Environment for child processes (the embedded database), with outside reporting turned off. */
export function childProcessEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
