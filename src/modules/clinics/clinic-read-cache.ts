import { LRUCache } from 'lru-cache';
import type { ClinicianMembership } from '../../auth/authorization/clinician-membership';
import type { ClinicRecord } from './clinics/clinic.schema';

export interface ClinicReadCacheOptions<V> {
  /** Off when other processes may write the clinic's documents (a shared MongoDB). */
  enabled: boolean;
  /** A copy for each caller, so that no caller changes what the next one gets. */
  copy: (value: V) => V;
  maxEntries?: number;
  /** Bounds how long an edit made outside the service (by hand, in the database) can go unseen. */
  ttlMs?: number;
}

/**
 * Documents of clinics read lately (a clinic's document, a user's membership in a clinic), kept per
 * clinic and key so that the next request needs no database read. Exact on the embedded database,
 * where this process is the only writer: every write of a clinic's documents runs inside that
 * clinic's write gate, and the gate reports when a run starts and ends ({@link writesBegin},
 * {@link writesEnd}); both drop the clinic's entries. A read stores what it found only when no gated
 * run of that clinic was in progress or ended since the read began, so it never stores what a write
 * has since changed. Only found documents are kept: what is missing is asked about again each time.
 */
export class ClinicReadCache<V> {
  private readonly entries: LRUCache<string, { clinicId: string; key: string; value: V }>;
  /** Per clinic, the keys with an entry (to drop a clinic's entries). */
  private readonly cachedKeys = new Map<string, Set<string>>();
  /** A clock that advances whenever a gated run of some clinic starts or ends. */
  private clock = 0;
  /** Per clinic, the clock when a gated run of it last started or ended. */
  private readonly changedAt: LRUCache<string, number>;
  /** Every clinic no longer in `changedAt` changed at or before this. */
  private changedAtMost = 0;
  private readonly runsInProgress = new Map<string, number>();

  constructor(private readonly options: ClinicReadCacheOptions<V>) {
    const max = options.maxEntries ?? 10_000;
    this.entries = new LRUCache<string, { clinicId: string; key: string; value: V }>({
      max,
      ttl: options.ttlMs ?? 60_000,
      dispose: (entry) => this.cachedKeys.get(entry.clinicId)?.delete(entry.key),
    });
    this.changedAt = new LRUCache<string, number>({
      max,
      dispose: (clock) => (this.changedAtMost = Math.max(this.changedAtMost, clock)),
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
    return this.clock;
  }

  /** Keeps what a read found, unless the clinic's documents may have changed since `readStarted`. */
  store(readStarted: number, clinic: string, key: string, value: V): void {
    const clinicId = clinicKey(clinic);
    if (!this.options.enabled || this.runsInProgress.has(clinicId)) return;
    if ((this.changedAt.get(clinicId) ?? this.changedAtMost) > readStarted) return;
    this.entries.set(entryKey(clinicId, key), { clinicId, key, value: this.options.copy(value) });
    let keys = this.cachedKeys.get(clinicId);
    if (!keys) this.cachedKeys.set(clinicId, (keys = new Set()));
    keys.add(key);
  }

  writesBegin(clinic: string): void {
    const clinicId = clinicKey(clinic);
    this.runsInProgress.set(clinicId, (this.runsInProgress.get(clinicId) ?? 0) + 1);
    this.changed(clinicId);
  }

  writesEnd(clinic: string): void {
    const clinicId = clinicKey(clinic);
    const runs = (this.runsInProgress.get(clinicId) ?? 1) - 1;
    if (runs > 0) this.runsInProgress.set(clinicId, runs);
    else this.runsInProgress.delete(clinicId);
    this.changed(clinicId);
  }

  private changed(clinicId: string): void {
    this.clock += 1;
    this.changedAt.set(clinicId, this.clock);
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
  readonly memberships: ClinicReadCache<ClinicianMembership>;
  readonly clinics: ClinicReadCache<ClinicRecord>;

  constructor(enabled: boolean) {
    this.memberships = new ClinicReadCache({ enabled, copy: (m) => ({ ...m, roles: [...m.roles] }) });
    this.clinics = new ClinicReadCache({ enabled, copy: (clinic) => ({ ...clinic }) });
  }

  writesBegin(clinicId: string): void {
    this.memberships.writesBegin(clinicId);
    this.clinics.writesBegin(clinicId);
  }

  writesEnd(clinicId: string): void {
    this.memberships.writesEnd(clinicId);
    this.clinics.writesEnd(clinicId);
  }
}
