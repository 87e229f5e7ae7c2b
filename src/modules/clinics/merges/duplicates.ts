/** The duplicate categories of the merge report, strongest first (behavior-clinics.md §1.16). */
export enum DuplicateCategory {
  DuplicateAccounts = 'Duplicate Accounts',
  LikelyDuplicateAccounts = 'Likely Duplicate Accounts',
  MrnOnlyMatch = 'MRN Only Match',
  NameOnlyMatch = 'Name Only Match',
}

const STRENGTH: Record<DuplicateCategory, number> = {
  [DuplicateCategory.DuplicateAccounts]: 4,
  [DuplicateCategory.LikelyDuplicateAccounts]: 3,
  [DuplicateCategory.MrnOnlyMatch]: 2,
  [DuplicateCategory.NameOnlyMatch]: 1,
};

/** The compared attributes of one patient, already normalised (empty values left out). */
export interface DuplicateCandidate {
  userId: string;
  birthDate?: string;
  /** Full name trimmed and lower-cased. */
  name?: string;
  /** MRN trimmed and lower-cased. */
  mrn?: string;
}

/** A connected group of two or more patients; `members` are indexes into the candidates, ascending. */
export interface DuplicateCluster {
  category: DuplicateCategory;
  members: number[];
}

/** The category of a pair, or undefined when they are not duplicates (nothing, or only the birth date, matches). */
export function pairCategory(a: DuplicateCandidate, b: DuplicateCandidate): DuplicateCategory | undefined {
  if (a.userId === b.userId) return DuplicateCategory.DuplicateAccounts;
  const dob = a.birthDate !== undefined && a.birthDate === b.birthDate;
  const name = a.name !== undefined && a.name === b.name;
  const mrn = a.mrn !== undefined && a.mrn === b.mrn;
  const matches = Number(dob) + Number(name) + Number(mrn);
  if (matches >= 2) return DuplicateCategory.LikelyDuplicateAccounts;
  if (mrn) return DuplicateCategory.MrnOnlyMatch;
  if (name) return DuplicateCategory.NameOnlyMatch;
  return undefined;
}

class UnionFind {
  private readonly parent: number[];

  constructor(size: number) {
    this.parent = Array.from({ length: size }, (_, index) => index);
  }

  find(index: number): number {
    let root = index;
    while (this.parent[root] !== root) root = this.parent[root];
    while (this.parent[index] !== root) {
      const next = this.parent[index];
      this.parent[index] = root;
      index = next;
    }
    return root;
  }

  union(a: number, b: number): void {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA !== rootB) this.parent[Math.max(rootA, rootB)] = Math.min(rootA, rootB);
  }
}

/**
 * Clusters of duplicates: the connected components (size > 1) of the "is a duplicate of" relation.
 * Candidates are found through one lookup table per identifying attribute (user id, name, MRN — a
 * birth date alone never makes a duplicate, so it only counts towards a pair found otherwise): each
 * patient is compared only with the patients sharing one of those values, never with every other
 * patient. Each cluster takes the strongest category among its pairs. Clusters are ordered by their
 * first member.
 */
export function findDuplicateClusters(candidates: readonly DuplicateCandidate[]): DuplicateCluster[] {
  const tables: Array<Map<string, number[]>> = [0, 1, 2].map(() => new Map<string, number[]>());
  const keysOf = (candidate: DuplicateCandidate): Array<string | undefined> => [
    candidate.userId,
    candidate.name,
    candidate.mrn,
  ];
  candidates.forEach((candidate, index) => {
    keysOf(candidate).forEach((key, attribute) => {
      if (key === undefined) return;
      const table = tables[attribute];
      const list = table.get(key);
      if (list) list.push(index);
      else table.set(key, [index]);
    });
  });

  const sets = new UnionFind(candidates.length);
  const strongest = new Map<number, DuplicateCategory>();
  const edges: Array<[number, number, DuplicateCategory]> = [];
  candidates.forEach((candidate, index) => {
    const compared = new Set<number>();
    keysOf(candidate).forEach((key, attribute) => {
      if (key === undefined) return;
      for (const other of tables[attribute].get(key) ?? []) {
        if (other <= index || compared.has(other)) continue;
        compared.add(other);
        const category = pairCategory(candidate, candidates[other]);
        if (category === undefined) continue;
        sets.union(index, other);
        edges.push([index, other, category]);
      }
    });
  });
  for (const [a, , category] of edges) {
    const root = sets.find(a);
    const current = strongest.get(root);
    if (current === undefined || STRENGTH[category] > STRENGTH[current]) strongest.set(root, category);
  }

  const members = new Map<number, number[]>();
  candidates.forEach((_, index) => {
    const root = sets.find(index);
    if (!strongest.has(root)) return;
    const list = members.get(root);
    if (list) list.push(index);
    else members.set(root, [index]);
  });
  return [...members.entries()]
    .sort(([a], [b]) => a - b)
    .map(([root, list]) => ({ category: strongest.get(root) as DuplicateCategory, members: list }));
}
