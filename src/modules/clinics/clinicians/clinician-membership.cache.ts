import { LRUCache } from 'lru-cache';
import type { ClinicianMembership } from '../../../auth/authorization/clinician-membership';

export interface MembershipCacheOptions {
  /** Off when other processes may write clinician records (a shared MongoDB). */
  enabled: boolean;
  maxEntries?: number;
  /** Bounds how long an edit made outside the service (by hand, in the database) can go unseen. */
  ttlMs?: number;
}

/**
 * The memberships the authorization guard read lately, so that a member's requests need no
 * database read to authorize them. Exact on the embedded database, where this process is the only
 * writer: every write of a clinic's clinician records runs inside that clinic's write gate, and the
 * gate reports when it starts and ends ({@link writesBegin}, {@link writesEnd}); both drop the
 * clinic's entries. A read stores what it found only when no gated run of that clinic was in progress
 * or ended since the read began, so it never stores what a write has since changed. Only found
 * memberships are kept: a user who is not a member is asked about again each time.
 */
export class ClinicianMembershipCache {
  private readonly memberships: LRUCache<string, ClinicianMembership>;
  /** Per clinic, the user ids with an entry (to drop a clinic's entries). */
  private readonly cachedUsers = new Map<string, Set<string>>();
  /** A clock that advances whenever a gated run of some clinic starts or ends. */
  private clock = 0;
  /** Per clinic, the clock when a gated run of it last started or ended. */
  private readonly changedAt: LRUCache<string, number>;
  /** Every clinic no longer in `changedAt` changed at or before this. */
  private changedAtMost = 0;
  private readonly runsInProgress = new Map<string, number>();

  constructor(private readonly options: MembershipCacheOptions) {
    const max = options.maxEntries ?? 10_000;
    this.memberships = new LRUCache<string, ClinicianMembership>({
      max,
      ttl: options.ttlMs ?? 60_000,
      dispose: (membership) => this.cachedUsers.get(clinicKey(membership.clinicId))?.delete(membership.userId),
    });
    this.changedAt = new LRUCache<string, number>({
      max,
      dispose: (clock) => (this.changedAtMost = Math.max(this.changedAtMost, clock)),
    });
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  /** A copy of the cached membership, if any. */
  get(clinicId: string, userId: string): ClinicianMembership | undefined {
    if (!this.options.enabled) return undefined;
    const found = this.memberships.get(entryKey(clinicId, userId));
    return found && { ...found, roles: [...found.roles] };
  }

  /** Taken before a read from the database; {@link store} needs it. */
  readStarted(): number {
    return this.clock;
  }

  /** Keeps what a read found, unless the clinic's records may have changed since `readStarted`. */
  store(readStarted: number, membership: ClinicianMembership): void {
    const clinicId = clinicKey(membership.clinicId);
    const { userId } = membership;
    if (!this.options.enabled || this.runsInProgress.has(clinicId)) return;
    if ((this.changedAt.get(clinicId) ?? this.changedAtMost) > readStarted) return;
    this.memberships.set(entryKey(clinicId, userId), { ...membership, roles: [...membership.roles] });
    let users = this.cachedUsers.get(clinicId);
    if (!users) this.cachedUsers.set(clinicId, (users = new Set()));
    users.add(userId);
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
    const users = this.cachedUsers.get(clinicId);
    if (!users) return;
    this.cachedUsers.delete(clinicId);
    for (const userId of users) this.memberships.delete(entryKey(clinicId, userId));
  }
}

function clinicKey(clinicId: string): string {
  return clinicId.toLowerCase();
}

function entryKey(clinicId: string, userId: string): string {
  return `${clinicKey(clinicId)}:${userId}`;
}
