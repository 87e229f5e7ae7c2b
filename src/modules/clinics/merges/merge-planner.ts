import type { ClinicRecord, MembershipRestrictionRecord } from '../clinics/clinic.schema';
import type { ClinicianRecord } from '../clinicians/clinician.schema';
import { ClinicianRole } from '../clinic.constants';
import { mrnLower, type PatientRecord } from '../patients/patient.schema';
import { DuplicateCandidate, DuplicateCategory, findDuplicateClusters } from './duplicates';

export type Workspace = 'source' | 'target';

export enum TagAction {
  Create = 'CREATE',
  Skip = 'SKIP',
  Retain = 'RETAIN',
}

export enum SiteAction {
  Move = 'MOVE',
  Rename = 'RENAME',
  Retain = 'RETAIN',
}

export enum MemberAction {
  Move = 'MOVE',
  Merge = 'MERGE',
  MergeInto = 'MERGE_INTO',
  Retain = 'RETAIN',
}

/** The reasons a plan may not be executed, as the report lists them. */
export const MergeBlocker = {
  settingsMismatch: 'Settings mismatch',
  partialSso: 'Partial SSO: clinicians would be moved into a workspace with membership restrictions',
  pendingInvites: 'Pending invites in source workspace',
  mrnRequired: 'MRN required: patients without an MRN would be moved',
  duplicateMrn: 'MRN unique: patients with an MRN already used would be moved',
  clinicianEmailInUse: 'Clinician e-mail already used by another member or invite of the target workspace',
} as const;

/** The parts of a patient record planning reads. */
export type PlanPatient = Pick<
  PatientRecord,
  '_id' | 'userId' | 'fullName' | 'birthDate' | 'mrn' | 'tags' | 'sites' | 'permissions' | 'summary'
>;

/** The parts of a clinician record planning reads. */
export type PlanClinician = Pick<ClinicianRecord, '_id' | 'userId' | 'inviteId' | 'email' | 'name' | 'roles'>;

export interface MergeInput {
  source: ClinicRecord;
  target: ClinicRecord;
  /** Without the demo patient. */
  sourcePatients: readonly PlanPatient[];
  targetPatients: readonly PlanPatient[];
  /** Invites included. */
  sourceClinicians: readonly PlanClinician[];
  targetClinicians: readonly PlanClinician[];
  generatedTime: Date;
}

export interface ClinicSummary {
  id: string;
  name: string;
  shareCode: string;
}

export interface SettingComparison {
  setting: string;
  source: string;
  target: string;
  matches: boolean;
}

export interface TagPlan {
  workspace: Workspace;
  id: string;
  name: string;
  action: TagAction;
  /** The name exists in both workspaces. */
  merge: boolean;
}

export interface SitePlan {
  workspace: Workspace;
  id: string;
  name: string;
  /** The name it has after the merge (differs from `name` when renamed). */
  resultingName: string;
  action: SiteAction;
}

export interface ClinicianPlan {
  workspace: Workspace;
  userId?: string;
  inviteId?: string;
  email?: string;
  name: string | null;
  roles: string[];
  /** The roles after the merge: the target's for users in both workspaces. */
  resultingRoles: string[];
  action: MemberAction;
  /** Admin in the source workspace but not in the target one. */
  downgraded: boolean;
  pendingInvite: boolean;
}

export interface PatientPlan {
  workspace: Workspace;
  id: string;
  userId: string;
  name: string | null;
  birthDate: string | null;
  mrn: string | null;
  /** Not a custodial account. */
  claimed: boolean;
  tags: string[];
  sites: string[];
  latestUpload: string | null;
  action: MemberAction;
  errors: string[];
}

export interface DuplicatePatientRef {
  workspace: Workspace;
  userId: string;
}

export interface DuplicateCluster {
  category: DuplicateCategory;
  patients: DuplicatePatientRef[];
}

export type DuplicateCounts = Record<DuplicateCategory, number>;

export interface MergeMeasures {
  resultingMembers: number;
  resultingAdmins: number;
  downgradedAdmins: number;
  resultingTags: number;
  duplicateTags: number;
  resultingSites: number;
  renamedSites: number;
  resultingPatients: number;
  /** Patients per duplicate category in the merged workspace. */
  duplicatePatients: DuplicateCounts;
}

/** The merge plan: what GenerateMergeReport shows and MergeClinic executes (behavior-clinics.md §1.16). */
export interface MergePlan {
  generatedTime: string;
  source: ClinicSummary;
  target: ClinicSummary;
  canExecute: boolean;
  /** The distinct reasons the plan may not be executed. */
  errors: string[];
  settings: SettingComparison[];
  tags: TagPlan[];
  sites: SitePlan[];
  clinicians: ClinicianPlan[];
  patients: PatientPlan[];
  duplicates: { source: DuplicateCluster[]; target: DuplicateCluster[]; merged: DuplicateCluster[] };
  measures: MergeMeasures;
}

function summaryOf(clinic: ClinicRecord): ClinicSummary {
  return { id: clinic._id.toHexString(), name: clinic.name ?? '', shareCode: clinic.canonicalShareCode };
}

function restrictionsText(restrictions: MembershipRestrictionRecord[] | null | undefined): string {
  if (!restrictions?.length) return '';
  return restrictions
    .map((restriction) => `${restriction.emailDomain}${restriction.requiredIdp ? ` (${restriction.requiredIdp})` : ''}`)
    .join(', ');
}

/** Every source (emailDomain, requiredIdp) pair is present, with the same idp, in the target. */
function restrictionsCovered(source: ClinicRecord, target: ClinicRecord): boolean {
  const targetPairs = new Set(
    (target.membershipRestrictions ?? []).map((r) => `${r.emailDomain}\u0000${r.requiredIdp ?? ''}`),
  );
  return (source.membershipRestrictions ?? []).every((r) =>
    targetPairs.has(`${r.emailDomain}\u0000${r.requiredIdp ?? ''}`),
  );
}

function yesNo(value: boolean | undefined): string {
  return value ? 'Yes' : 'No';
}

function compareSettings(source: ClinicRecord, target: ClinicRecord): SettingComparison[] {
  const row = (setting: string, a: string, b: string, matches = a === b): SettingComparison => ({
    setting,
    source: a,
    target: b,
    matches,
  });
  return [
    row(
      'Partial SSO',
      restrictionsText(source.membershipRestrictions),
      restrictionsText(target.membershipRestrictions),
      restrictionsCovered(source, target),
    ),
    row('MRN Required', yesNo(source.mrnSettings?.required), yesNo(target.mrnSettings?.required)),
    row('MRN Unique', yesNo(source.mrnSettings?.unique), yesNo(target.mrnSettings?.unique)),
    row('Glucose Units', source.preferredBgUnits ?? '', target.preferredBgUnits ?? ''),
    row('Timezone', source.timezone ?? '', target.timezone ?? ''),
  ];
}

export function planTags(source: ClinicRecord, target: ClinicRecord): TagPlan[] {
  const targetNames = new Set((target.patientTags ?? []).map((tag) => tag.name));
  const sourceNames = new Set((source.patientTags ?? []).map((tag) => tag.name));
  return [
    ...(source.patientTags ?? []).map((tag) => ({
      workspace: 'source' as const,
      id: tag._id.toHexString(),
      name: tag.name,
      action: targetNames.has(tag.name) ? TagAction.Skip : TagAction.Create,
      merge: targetNames.has(tag.name),
    })),
    ...(target.patientTags ?? []).map((tag) => ({
      workspace: 'target' as const,
      id: tag._id.toHexString(),
      name: tag.name,
      action: TagAction.Retain,
      merge: sourceNames.has(tag.name),
    })),
  ];
}

/**
 * Source sites move; one whose name the target already uses (case-insensitively) is renamed to the
 * first free `"Name (n)"`, n ≥ 2. A source site already in the target (same id: an interrupted merge
 * added it) keeps the name it got there.
 */
export function planSites(source: ClinicRecord, target: ClinicRecord): SitePlan[] {
  const targetById = new Map((target.sites ?? []).map((site) => [site.id.toHexString(), site.name]));
  const taken = new Set((target.sites ?? []).map((site) => site.name.toLowerCase()));
  const plans: SitePlan[] = [];
  for (const site of source.sites ?? []) {
    const id = site.id.toHexString();
    const existing = targetById.get(id);
    let resultingName = existing ?? site.name;
    if (existing === undefined && taken.has(site.name.toLowerCase())) {
      for (let n = 2; ; n++) {
        const candidate = `${site.name} (${n})`;
        if (!taken.has(candidate.toLowerCase())) {
          resultingName = candidate;
          break;
        }
      }
    }
    taken.add(resultingName.toLowerCase());
    plans.push({
      workspace: 'source',
      id,
      name: site.name,
      resultingName,
      action: resultingName === site.name ? SiteAction.Move : SiteAction.Rename,
    });
  }
  for (const site of target.sites ?? []) {
    if (plans.some((plan) => plan.id === site.id.toHexString())) continue;
    plans.push({
      workspace: 'target',
      id: site.id.toHexString(),
      name: site.name,
      resultingName: site.name,
      action: SiteAction.Retain,
    });
  }
  return plans;
}

function isAdmin(roles: readonly string[]): boolean {
  return roles.includes(ClinicianRole.CLINIC_ADMIN);
}

function planClinicians(input: MergeInput, errors: Set<string>): ClinicianPlan[] {
  const targetByUser = new Map<string, PlanClinician>();
  const targetEmails = new Set<string>();
  for (const clinician of input.targetClinicians) {
    if (clinician.userId) targetByUser.set(clinician.userId, clinician);
    if (clinician.email) targetEmails.add(clinician.email.toLowerCase());
  }
  const sourceUsers = new Set(input.sourceClinicians.map((clinician) => clinician.userId).filter(Boolean));
  const targetRestricted = (input.target.membershipRestrictions ?? []).length > 0;
  const plans: ClinicianPlan[] = [];
  for (const clinician of input.sourceClinicians) {
    const inTarget = clinician.userId ? targetByUser.get(clinician.userId) : undefined;
    const pendingInvite = !clinician.userId;
    if (pendingInvite) errors.add(MergeBlocker.pendingInvites);
    const action = inTarget ? MemberAction.Merge : MemberAction.Move;
    if (action === MemberAction.Move && !pendingInvite) {
      if (targetRestricted) errors.add(MergeBlocker.partialSso);
      if (clinician.email && targetEmails.has(clinician.email.toLowerCase())) {
        errors.add(MergeBlocker.clinicianEmailInUse);
      }
    }
    const resultingRoles = inTarget ? [...inTarget.roles] : [...clinician.roles];
    plans.push({
      workspace: 'source',
      ...(clinician.userId ? { userId: clinician.userId } : {}),
      ...(clinician.inviteId ? { inviteId: clinician.inviteId } : {}),
      ...(clinician.email ? { email: clinician.email } : {}),
      name: clinician.name ?? null,
      roles: [...clinician.roles],
      resultingRoles,
      action,
      downgraded: isAdmin(clinician.roles) && !isAdmin(resultingRoles),
      pendingInvite,
    });
  }
  for (const clinician of input.targetClinicians) {
    const merged = clinician.userId !== undefined && sourceUsers.has(clinician.userId);
    plans.push({
      workspace: 'target',
      ...(clinician.userId ? { userId: clinician.userId } : {}),
      ...(clinician.inviteId ? { inviteId: clinician.inviteId } : {}),
      ...(clinician.email ? { email: clinician.email } : {}),
      name: clinician.name ?? null,
      roles: [...clinician.roles],
      resultingRoles: [...clinician.roles],
      action: merged ? MemberAction.MergeInto : MemberAction.Retain,
      downgraded: false,
      pendingInvite: !clinician.userId,
    });
  }
  return plans;
}

function latestUpload(patient: PlanPatient): string | null {
  const times = [patient.summary?.cgmStats?.dates?.lastUploadDate, patient.summary?.bgmStats?.dates?.lastUploadDate]
    .map((value) => (value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined))
    .filter((value): value is Date => value !== undefined && !Number.isNaN(value.getTime()));
  if (times.length === 0) return null;
  return new Date(Math.max(...times.map((time) => time.getTime()))).toISOString();
}

function planPatients(input: MergeInput, errors: Set<string>): PatientPlan[] {
  const tagNames = (clinic: ClinicRecord): Map<string, string> =>
    new Map((clinic.patientTags ?? []).map((tag) => [tag._id.toHexString(), tag.name]));
  const sourceTags = tagNames(input.source);
  const targetTags = tagNames(input.target);
  const targetUsers = new Set(input.targetPatients.map((patient) => patient.userId));
  const sourceUsers = new Set(input.sourcePatients.map((patient) => patient.userId));
  const targetMrns = new Set(input.targetPatients.map((patient) => mrnLower(patient.mrn)).filter(Boolean));
  const sourceMrnCounts = new Map<string, number>();
  for (const patient of input.sourcePatients) {
    const mrn = mrnLower(patient.mrn);
    if (mrn) sourceMrnCounts.set(mrn, (sourceMrnCounts.get(mrn) ?? 0) + 1);
  }
  const mrnSettings = input.target.mrnSettings;

  const row = (
    workspace: Workspace,
    patient: PlanPatient,
    names: Map<string, string>,
    action: MemberAction,
    rowErrors: string[],
  ): PatientPlan => ({
    workspace,
    id: patient._id.toHexString(),
    userId: patient.userId,
    name: patient.fullName ?? null,
    birthDate: patient.birthDate || null,
    mrn: patient.mrn ?? null,
    claimed: !patient.permissions?.custodian,
    tags: (patient.tags ?? []).map((id) => names.get(id.toString())).filter((name): name is string => !!name),
    sites: (patient.sites ?? []).map((site) => site.name),
    latestUpload: latestUpload(patient),
    action,
    errors: rowErrors,
  });

  const plans: PatientPlan[] = [];
  for (const patient of input.sourcePatients) {
    const action = targetUsers.has(patient.userId) ? MemberAction.Merge : MemberAction.Move;
    const rowErrors: string[] = [];
    if (action === MemberAction.Move) {
      const mrn = mrnLower(patient.mrn);
      if (mrnSettings?.required && !mrn) rowErrors.push(MergeBlocker.mrnRequired);
      if (mrnSettings?.unique && mrn && (targetMrns.has(mrn) || (sourceMrnCounts.get(mrn) ?? 0) > 1)) {
        rowErrors.push(MergeBlocker.duplicateMrn);
      }
    }
    rowErrors.forEach((error) => errors.add(error));
    plans.push(row('source', patient, sourceTags, action, rowErrors));
  }
  for (const patient of input.targetPatients) {
    const action = sourceUsers.has(patient.userId) ? MemberAction.MergeInto : MemberAction.Retain;
    plans.push(row('target', patient, targetTags, action, []));
  }
  return plans;
}

function candidateOf(patient: PatientPlan): DuplicateCandidate {
  const name = patient.name?.trim().toLowerCase();
  return {
    userId: patient.userId,
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
    ...(name ? { name } : {}),
    ...(mrnLower(patient.mrn) ? { mrn: mrnLower(patient.mrn) } : {}),
  };
}

function clustersOf(patients: readonly PatientPlan[]): DuplicateCluster[] {
  return findDuplicateClusters(patients.map(candidateOf)).map((cluster) => ({
    category: cluster.category,
    patients: cluster.members.map((index) => ({
      workspace: patients[index].workspace,
      userId: patients[index].userId,
    })),
  }));
}

function emptyCounts(): DuplicateCounts {
  return {
    [DuplicateCategory.DuplicateAccounts]: 0,
    [DuplicateCategory.LikelyDuplicateAccounts]: 0,
    [DuplicateCategory.MrnOnlyMatch]: 0,
    [DuplicateCategory.NameOnlyMatch]: 0,
  };
}

/** Builds the merge plan; reads nothing but its input. */
export function planMerge(input: MergeInput): MergePlan {
  const errors = new Set<string>();
  const settings = compareSettings(input.source, input.target);
  if (settings.some((setting) => !setting.matches)) errors.add(MergeBlocker.settingsMismatch);
  const tags = planTags(input.source, input.target);
  const sites = planSites(input.source, input.target);
  const clinicians = planClinicians(input, errors);
  const patients = planPatients(input, errors);

  const sourceRows = patients.filter((patient) => patient.workspace === 'source');
  const targetRows = patients.filter((patient) => patient.workspace === 'target');
  const duplicates = { source: clustersOf(sourceRows), target: clustersOf(targetRows), merged: clustersOf(patients) };

  const resulting = clinicians.filter(
    (clinician) =>
      !clinician.pendingInvite && (clinician.workspace === 'target' || clinician.action === MemberAction.Move),
  );
  const duplicatePatients = emptyCounts();
  for (const cluster of duplicates.merged) duplicatePatients[cluster.category] += cluster.patients.length;

  return {
    generatedTime: input.generatedTime.toISOString(),
    source: summaryOf(input.source),
    target: summaryOf(input.target),
    canExecute: errors.size === 0,
    errors: [...errors],
    settings,
    tags,
    sites,
    clinicians,
    patients,
    duplicates,
    measures: {
      resultingMembers: resulting.length,
      resultingAdmins: resulting.filter((clinician) => isAdmin(clinician.resultingRoles)).length,
      downgradedAdmins: clinicians.filter((clinician) => clinician.downgraded).length,
      resultingTags: tags.filter((tag) => tag.action !== TagAction.Skip).length,
      duplicateTags: tags.filter((tag) => tag.action === TagAction.Skip).length,
      resultingSites: sites.length,
      renamedSites: sites.filter((site) => site.action === SiteAction.Rename).length,
      resultingPatients: patients.filter((patient) => patient.action !== MemberAction.Merge).length,
      duplicatePatients,
    },
  };
}
