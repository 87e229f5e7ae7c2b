import { LRUCache } from 'lru-cache';
import type { ClinicianMembership } from '../../auth/authorization/clinician-membership';
import type { ClinicRecord } from './clinics/clinic.schema';

const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * When each clinic's documents last changed, as the clinic write gate reports its runs, and the
 * caches to drop a clinic's entries from when they do. Shared by the caches of one process, so a
 * gated run is recorded once however many caches there are.
 */
export class ClinicChanges {
  /** A clock that advances whenever a gated run of some clinic starts or ends. */
  private clock = 0;
  /** Per clinic, the clock when a gated run of it last started or ended. */
  private readonly changedAt: LRUCache<string, number>;
  /** Every clinic no longer in `changedAt` changed at or before this. */
  private changedAtMost = 0;
  private readonly runsInProgress = new Map<string, number>();
  private readonly caches: Array<{ drop(clinicId: string): void }> = [];

  constructor(
    readonly enabled: boolean,
    maxClinics = DEFAULT_MAX_ENTRIES,
  ) {
    this.changedAt = new LRUCache<string, number>({
      max: maxClinics,
      dispose: (clock) => (this.changedAtMost = Math.max(this.changedAtMost, clock)),
    });
  }

  register(cache: { drop(clinicId: string): void }): void {
    this.caches.push(cache);
  }

  /** Taken before a read from the database; {@link mayKeep} needs it. */
  readStarted(): number {
    return this.clock;
  }

  /** Whether what a read that started at `readStarted` found of the clinic is still its state. */
  mayKeep(clinicId: string, readStarted: number): boolean {
    const clinic = clinicKey(clinicId);
    if (!this.enabled || this.runsInProgress.has(clinic)) return false;
    return (this.changedAt.get(clinic) ?? this.changedAtMost) <= readStarted;
  }

  writesBegin(clinicId: string): void {
    if (!this.enabled) return;
    const clinic = clinicKey(clinicId);
    this.runsInProgress.set(clinic, (this.runsInProgress.get(clinic) ?? 0) + 1);
    this.changed(clinic);
  }

  writesEnd(clinicId: string): void {
    if (!this.enabled) return;
    const clinic = clinicKey(clinicId);
    const runs = (this.runsInProgress.get(clinic) ?? 1) - 1;
    if (runs > 0) this.runsInProgress.set(clinic, runs);
    else this.runsInProgress.delete(clinic);
    this.changed(clinic);
  }

  private changed(clinic: string): void {
    this.clock += 1;
    this.changedAt.set(clinic, this.clock);
    for (const cache of this.caches) cache.drop(clinic);
  }
}

export interface ClinicReadCacheOptions<V> {
  /** Off when other processes may write the clinic's documents (a shared MongoDB). */
  enabled: boolean;
  /** A copy for each caller, so that no caller changes what the next one gets. */
  copy: (value: V) => V;
  maxEntries?: number;
  /** Bounds how long an edit made outside the service (by hand, in the database) can go unseen. */
  ttlMs?: number;
  /** The change record it shares with the other caches; its own when absent. */
  changes?: ClinicChanges;
}

/**
 * Documents of clinics read lately (a clinic's document, a user's membership in a clinic), kept per
 * clinic and key so that the next request needs no database read. Exact on the embedded database,
 * where this process is the only writer: every write of a clinic's documents runs inside that
 * clinic's write gate, and the gate reports when a run starts and ends ({@link ClinicChanges}); both
 * drop the clinic's entries. A read stores what it found only when no gated run of that clinic was in
 * progress or ended since the read began, so it never stores what a write has since changed. Only
 * found documents are kept: what is missing is asked about again each time.
 */
export class ClinicReadCache<V> {
  private readonly entries: LRUCache<string, { clinicId: string; key: string; value: V }>;
  /** Per clinic, the keys with an entry (to drop a clinic's entries). */
  private readonly cachedKeys = new Map<string, Set<string>>();
  private readonly changes: ClinicChanges;

  constructor(private readonly options: ClinicReadCacheOptions<V>) {
    const max = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.changes = options.changes ?? new ClinicChanges(options.enabled, max);
    this.changes.register(this);
    this.entries = new LRUCache<string, { clinicId: string; key: string; value: V }>({
      max,
      ttl: options.ttlMs ?? 60_000,
      dispose: (entry) => this.cachedKeys.get(entry.clinicId)?.delete(entry.key),
    });
  }

  /** A copy of the cached value, if any. */
  get(clinicId: string, key: string): V | undefined {
    if (!this.options.enabled) return undefined;
    const found = this.entries.get(entryKey(clinicId, key));
    return found && this.options.copy(found.value);
  }

  /** Taken before a read from the database; {@link store} needs it. */
  readStarted(): number {
    return this.changes.readStarted();
  }

  /** Keeps what a read found, unless the clinic's documents may have changed since `readStarted`. */
  store(readStarted: number, clinic: string, key: string, value: V): void {
    if (!this.options.enabled || !this.changes.mayKeep(clinic, readStarted)) return;
    const clinicId = clinicKey(clinic);
    this.entries.set(entryKey(clinicId, key), { clinicId, key, value: this.options.copy(value) });
    let keys = this.cachedKeys.get(clinicId);
    if (!keys) this.cachedKeys.set(clinicId, (keys = new Set()));
    keys.add(key);
  }

  writesBegin(clinicId: string): void {
    this.changes.writesBegin(clinicId);
  }

  writesEnd(clinicId: string): void {
    this.changes.writesEnd(clinicId);
  }

  /** Forgets the clinic's entries (its documents changed). */
  drop(clinic: string): void {
    const clinicId = clinicKey(clinic);
    const keys = this.cachedKeys.get(clinicId);
    if (!keys) return;
    this.cachedKeys.delete(clinicId);
    for (const key of keys) this.entries.delete(entryKey(clinicId, key));
  }
}

function clinicKey(clinicId: string): string {
  return clinicId.toLowerCase();
}

function entryKey(clinicId: string, key: string): string {
  return `${clinicKey(clinicId)}:${key}`;
}

/**
 * The clinic read caches, which the clinic write gate keeps exact: the memberships the authorization
 * guard read (keyed by user id) and clinic documents as GetClinic answers them (one key).
 */
export class ClinicReadCaches {
  private readonly changes: ClinicChanges;
  readonly memberships: ClinicReadCache<ClinicianMembership>;
  readonly clinics: ClinicReadCache<ClinicRecord>;

  constructor(enabled: boolean) {
    this.changes = new ClinicChanges(enabled);
    const changes = this.changes;
    this.memberships = new ClinicReadCache({ enabled, changes, copy: (m) => ({ ...m, roles: [...m.roles] }) });
    this.clinics = new ClinicReadCache({ enabled, changes, copy: (clinic) => ({ ...clinic }) });
  }

  writesBegin(clinicId: string): void {
    this.changes.writesBegin(clinicId);
  }

  writesEnd(clinicId: string): void {
    this.changes.writesEnd(clinicId);
  }
}
