/** How many times each value occurs, e.g. the statuses of concurrent requests: `{"200":1,"409":9}`. */
export function countBy(values: Array<string | number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
