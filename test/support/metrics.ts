import type { TestApp } from './test-app';

/** The value of one sample of the Prometheus text format, or undefined when it is absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

/** The service's metrics, as `GET /metrics` answers them. */
export async function scrape(t: TestApp): Promise<string> {
  const res = await t.call('GET', '/metrics');
  expect(res.status).toBe(200);
  return res.text;
}

/** How many commands of this name the service has sent to the database, successful or not. */
export async function databaseCommands(t: TestApp, command: string): Promise<number> {
  const text = await scrape(t);
  return (
    (sample(text, 'mongodb_command_duration_seconds_count', { command, outcome: 'succeeded' }) ?? 0) +
    (sample(text, 'mongodb_command_duration_seconds_count', { command, outcome: 'failed' }) ?? 0)
  );
}
