import { Types } from 'mongoose';
import type { ClinicRecord } from '../../../src/modules/clinics/clinics/clinic.schema';
import { DuplicateCategory, findDuplicateClusters, pairCategory } from '../../../src/modules/clinics/merges/duplicates';
import {
  MemberAction,
  MergeBlocker,
  MergeInput,
  planMerge,
  PlanClinician,
  PlanPatient,
  SiteAction,
  TagAction,
} from '../../../src/modules/clinics/merges/merge-planner';

function clinic(overrides: Partial<ClinicRecord> = {}): ClinicRecord {
  return {
    _id: new Types.ObjectId(),
    name: 'Clinic',
    canonicalShareCode: 'AAAA-BBBB-CCCC',
    shareCodes: ['AAAA-BBBB-CCCC'],
    admins: [],
    createdTime: new Date(),
    updatedTime: new Date(),
    preferredBgUnits: 'mg/dL',
    timezone: null,
    ...overrides,
  };
}

let counter = 0;
function patient(overrides: Partial<PlanPatient> = {}): PlanPatient {
  counter += 1;
  return {
    _id: new Types.ObjectId(),
    userId: `user${String(counter).padStart(6, '0')}`,
    fullName: `Patient ${counter}`,
    birthDate: `2000-01-${String((counter % 28) + 1).padStart(2, '0')}`,
    mrn: null,
    ...overrides,
  };
}

function clinician(overrides: Partial<PlanClinician> = {}): PlanClinician {
  counter += 1;
  return { _id: new Types.ObjectId(), userId: `clin${counter}`, name: null, roles: ['CLINIC_MEMBER'], ...overrides };
}

function input(overrides: Partial<MergeInput> = {}): MergeInput {
  return {
    source: clinic({ name: 'Source' }),
    target: clinic({ name: 'Target' }),
    sourcePatients: [],
    targetPatients: [],
    sourceClinicians: [],
    targetClinicians: [],
    generatedTime: new Date('2026-01-02T03:04:05Z'),
    ...overrides,
  };
}

describe('duplicate detection', () => {
  it('should categorise pairs by the number of matching attributes, ignoring a birth-date-only match', () => {
    const base = { userId: 'a', birthDate: '2000-01-01', name: 'ann', mrn: 'm1' };
    expect(pairCategory(base, { ...base })).toBe(DuplicateCategory.DuplicateAccounts);
    expect(pairCategory(base, { userId: 'b', birthDate: '2000-01-01', name: 'ann' })).toBe(
      DuplicateCategory.LikelyDuplicateAccounts,
    );
    expect(pairCategory(base, { userId: 'b', mrn: 'm1' })).toBe(DuplicateCategory.MrnOnlyMatch);
    expect(pairCategory(base, { userId: 'b', name: 'ann' })).toBe(DuplicateCategory.NameOnlyMatch);
    expect(pairCategory(base, { userId: 'b', birthDate: '2000-01-01' })).toBeUndefined();
    expect(pairCategory({ userId: 'a' }, { userId: 'b' })).toBeUndefined();
  });

  it('should join chains of pairs into one cluster with the strongest category, leaving singles out', () => {
    const clusters = findDuplicateClusters([
      { userId: 'a', name: 'ann', mrn: 'm1' },
      { userId: 'b', name: 'bob' },
      { userId: 'c', name: 'ann' },
      { userId: 'd', mrn: 'm1', birthDate: '1990-01-01', name: 'dee' },
      { userId: 'e', name: 'dee', birthDate: '1990-01-01' },
      { userId: 'f', birthDate: '1990-01-01' },
    ]);
    expect(clusters).toEqual([{ category: DuplicateCategory.LikelyDuplicateAccounts, members: [0, 2, 3, 4] }]);
  });

  it('should cluster a large list through the lookup tables without comparing every pair', () => {
    const candidates = Array.from({ length: 20000 }, (_, index) => ({
      userId: `u${index}`,
      name: `name ${Math.floor(index / 2)}`,
    }));
    const started = Date.now();
    const clusters = findDuplicateClusters(candidates);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(clusters).toHaveLength(10000);
    expect(clusters[0]).toEqual({ category: DuplicateCategory.NameOnlyMatch, members: [0, 1] });
  });
});

describe('planMerge', () => {
  it('should plan tags, sites, clinicians and patients as the notes describe', () => {
    const [tagA, tagB, tagC] = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
    const [siteA, siteB, siteC] = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
    const source = clinic({
      name: 'Source',
      patientTags: [
        { _id: tagA, name: 'Shared' },
        { _id: tagB, name: 'Only source' },
      ],
      sites: [
        { id: siteA, name: 'North' },
        { id: siteB, name: 'South' },
      ],
    });
    const target = clinic({
      name: 'Target',
      patientTags: [{ _id: tagC, name: 'Shared' }],
      sites: [
        { id: siteC, name: 'north' },
        { id: new Types.ObjectId(), name: 'North (2)' },
      ],
    });
    const both = clinician({ userId: 'both', roles: ['CLINIC_ADMIN'] });
    const sourceOnly = clinician({ userId: 'sourceonly', roles: ['CLINIC_ADMIN'] });
    const targetBoth = clinician({ userId: 'both', roles: ['CLINIC_MEMBER'] });
    const targetOnly = clinician({ userId: 'targetonly', roles: ['CLINIC_ADMIN'] });
    const shared = patient({ userId: 'shareduser', tags: [tagA] });
    const moved = patient({ tags: [tagA, tagB], sites: [{ id: siteA, name: 'North' }] });
    const targetShared = patient({ userId: 'shareduser' });
    const retained = patient();

    const plan = planMerge(
      input({
        source,
        target,
        sourcePatients: [shared, moved],
        targetPatients: [targetShared, retained],
        sourceClinicians: [both, sourceOnly],
        targetClinicians: [targetBoth, targetOnly],
      }),
    );

    expect(plan.canExecute).toBe(true);
    expect(plan.errors).toEqual([]);
    expect(plan.tags.map((tag) => [tag.workspace, tag.name, tag.action, tag.merge])).toEqual([
      ['source', 'Shared', TagAction.Skip, true],
      ['source', 'Only source', TagAction.Create, false],
      ['target', 'Shared', TagAction.Retain, true],
    ]);
    expect(plan.sites.map((site) => [site.workspace, site.name, site.resultingName, site.action])).toEqual([
      ['source', 'North', 'North (3)', SiteAction.Rename],
      ['source', 'South', 'South', SiteAction.Move],
      ['target', 'north', 'north', SiteAction.Retain],
      ['target', 'North (2)', 'North (2)', SiteAction.Retain],
    ]);
    expect(plan.clinicians.map((c) => [c.workspace, c.userId, c.action, c.resultingRoles, c.downgraded])).toEqual([
      ['source', 'both', MemberAction.Merge, ['CLINIC_MEMBER'], true],
      ['source', 'sourceonly', MemberAction.Move, ['CLINIC_ADMIN'], false],
      ['target', 'both', MemberAction.MergeInto, ['CLINIC_MEMBER'], false],
      ['target', 'targetonly', MemberAction.Retain, ['CLINIC_ADMIN'], false],
    ]);
    expect(plan.patients.map((p) => [p.workspace, p.userId, p.action, p.tags])).toEqual([
      ['source', 'shareduser', MemberAction.Merge, ['Shared']],
      ['source', moved.userId, MemberAction.Move, ['Shared', 'Only source']],
      ['target', 'shareduser', MemberAction.MergeInto, []],
      ['target', retained.userId, MemberAction.Retain, []],
    ]);
    expect(plan.measures).toEqual(
      expect.objectContaining({
        resultingMembers: 3,
        resultingAdmins: 2,
        downgradedAdmins: 1,
        resultingTags: 2,
        duplicateTags: 1,
        resultingSites: 4,
        renamedSites: 1,
        resultingPatients: 3,
      }),
    );
    expect(plan.duplicates.merged).toEqual([
      {
        category: DuplicateCategory.DuplicateAccounts,
        patients: [
          { workspace: 'source', userId: 'shareduser' },
          { workspace: 'target', userId: 'shareduser' },
        ],
      },
    ]);
  });

  it('should keep the name a site already got in the target when an interrupted merge is planned again', () => {
    const site = new Types.ObjectId();
    const plan = planMerge(
      input({
        source: clinic({ sites: [{ id: site, name: 'North' }] }),
        target: clinic({
          sites: [
            { id: new Types.ObjectId(), name: 'North' },
            { id: site, name: 'North (2)' },
          ],
        }),
      }),
    );
    expect(plan.sites[0]).toEqual(expect.objectContaining({ resultingName: 'North (2)', action: SiteAction.Rename }));
    expect(plan.sites).toHaveLength(2);
  });

  it('should block on differing settings, restrictions, pending invites, partial SSO and MRN rules', () => {
    const restricted = [{ emailDomain: 'example.com', requiredIdp: 'okta' }];
    const plan = planMerge(
      input({
        source: clinic({ timezone: 'US/Pacific', membershipRestrictions: restricted }),
        target: clinic({ timezone: 'US/Eastern', mrnSettings: { required: true, unique: true } }),
        sourcePatients: [patient({ mrn: null }), patient({ mrn: ' M1 ' }), patient({ mrn: 'X9' })],
        targetPatients: [patient({ mrn: 'm1' })],
        sourceClinicians: [clinician({ userId: undefined, inviteId: 'invite', email: 'i@example.com' })],
      }),
    );
    expect(plan.canExecute).toBe(false);
    expect(plan.errors.sort()).toEqual(
      [
        MergeBlocker.settingsMismatch,
        MergeBlocker.pendingInvites,
        MergeBlocker.mrnRequired,
        MergeBlocker.duplicateMrn,
      ].sort(),
    );
    expect(plan.settings.filter((s) => !s.matches).map((s) => s.setting)).toEqual([
      'Partial SSO',
      'MRN Required',
      'MRN Unique',
      'Timezone',
    ]);

    const sso = planMerge(
      input({
        target: clinic({ membershipRestrictions: restricted }),
        sourceClinicians: [clinician()],
      }),
    );
    expect(sso.errors).toEqual([MergeBlocker.partialSso]);
  });

  it('should block moving a clinician whose e-mail another record of the target holds', () => {
    const plan = planMerge(
      input({
        sourceClinicians: [clinician({ email: 'same@example.com' })],
        targetClinicians: [clinician({ userId: undefined, inviteId: 'x', email: 'same@example.com' })],
      }),
    );
    expect(plan.errors).toEqual([MergeBlocker.clinicianEmailInUse]);
  });
});
