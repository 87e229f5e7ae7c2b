import type ExcelJS from 'exceljs';
import { ClinicianRole } from '../clinic.constants';
import { DuplicateCategory } from './duplicates';
import { DuplicateCluster, MergePlan, PatientPlan, SiteAction, TagAction, Workspace } from './merge-planner';

/** The six sheets of the merge report, in order (behavior-clinics.md §1.16). */
export const MERGE_REPORT_SHEETS = [
  'Summary',
  'Patients in Source Clinic',
  'Patients in Target Clinic',
  'Duplicates in Source Clinic',
  'Duplicates in Target Clinic',
  'Duplicates in Merged Workspace',
] as const;

export const CAN_EXECUTE_LABEL = 'Can execute merge plan?';

const PATIENT_COLUMNS = ['Name', 'Claimed', 'UUID', 'DOB', 'MRN', 'Tags', 'Sites', 'Latest Upload'];

const WORKSPACE_LABEL: Record<Workspace, string> = { source: 'Source', target: 'Target' };

const SITE_ACTION_LABEL: Record<SiteAction, string> = {
  [SiteAction.Move]: 'Create',
  [SiteAction.Rename]: 'Rename',
  [SiteAction.Retain]: 'Retain',
};

function yesNo(value: boolean): string {
  return value ? 'Yes' : 'No';
}

function patientCells(patient: PatientPlan): Array<string | number> {
  return [
    patient.name ?? '',
    yesNo(patient.claimed),
    patient.userId,
    patient.birthDate ?? '',
    patient.mrn ?? '',
    patient.tags.join(', '),
    patient.sites.join(', '),
    patient.latestUpload ?? '',
  ];
}

function bold(row: ExcelJS.Row): void {
  row.font = { bold: true };
}

function section(sheet: ExcelJS.Worksheet, title: string, header?: string[]): void {
  sheet.addRow([]);
  bold(sheet.addRow([title]));
  if (header) bold(sheet.addRow(header));
}

interface ResultingMember {
  name: string;
  email: string;
  roles: string[];
  workspaces: Workspace[];
}

/** The members after the merge (pending invites left out), each with the workspaces they come from. */
function resultingMembers(plan: MergePlan): ResultingMember[] {
  const members = new Map<string, ResultingMember>();
  for (const clinician of plan.clinicians) {
    if (!clinician.userId) continue;
    const member = members.get(clinician.userId);
    if (member) {
      member.workspaces.push(clinician.workspace);
      if (clinician.workspace === 'target') member.roles = clinician.resultingRoles;
      continue;
    }
    members.set(clinician.userId, {
      name: clinician.name ?? '',
      email: clinician.email ?? '',
      roles: clinician.resultingRoles,
      workspaces: [clinician.workspace],
    });
  }
  return [...members.values()];
}

function writeSummary(sheet: ExcelJS.Worksheet, plan: MergePlan): void {
  sheet.columns = [{ width: 36 }, { width: 36 }, { width: 36 }, { width: 12 }];
  sheet.addRow(['Generated', plan.generatedTime]);
  sheet.addRow(['Source Workspace', plan.source.name]);
  sheet.addRow(['Target Workspace', plan.target.name]);
  bold(sheet.addRow([CAN_EXECUTE_LABEL, yesNo(plan.canExecute)]));
  for (const error of plan.errors) sheet.addRow(['', error]);

  section(sheet, 'Settings', ['Setting', 'Source', 'Target', 'Match']);
  for (const setting of plan.settings) {
    sheet.addRow([setting.setting, setting.source, setting.target, yesNo(setting.matches)]);
  }

  const { measures } = plan;
  section(sheet, 'Measures');
  const rows: Array<[string, number]> = [
    ['Resulting Members', measures.resultingMembers],
    ['Resulting Admins', measures.resultingAdmins],
    ['Downgraded Admins', measures.downgradedAdmins],
    ['Resulting Tags', measures.resultingTags],
    ['Duplicate Tags', measures.duplicateTags],
    ['Resulting Sites', measures.resultingSites],
    ['Renamed Sites', measures.renamedSites],
    ['Resulting Patients', measures.resultingPatients],
    ...Object.values(DuplicateCategory).map((category): [string, number] => [
      category,
      measures.duplicatePatients[category],
    ]),
  ];
  for (const row of rows) sheet.addRow(row);

  const members = resultingMembers(plan);
  const memberRow = (member: ResultingMember): string[] => [
    member.name,
    member.email,
    member.workspaces.map((workspace) => WORKSPACE_LABEL[workspace]).join(', '),
  ];
  section(sheet, 'Resulting Admins', ['Name', 'Email', 'Workspaces']);
  for (const member of members.filter((m) => m.roles.includes(ClinicianRole.CLINIC_ADMIN))) {
    sheet.addRow(memberRow(member));
  }
  section(sheet, 'Resulting Members', ['Name', 'Email', 'Workspaces']);
  for (const member of members.filter((m) => !m.roles.includes(ClinicianRole.CLINIC_ADMIN))) {
    sheet.addRow(memberRow(member));
  }

  section(sheet, 'Pending Invites', ['Email', 'Workspace']);
  for (const invite of plan.clinicians.filter((clinician) => clinician.pendingInvite)) {
    sheet.addRow([invite.email ?? '', WORKSPACE_LABEL[invite.workspace]]);
  }

  section(sheet, 'Resulting Tags', ['Name', 'Workspaces']);
  for (const tag of plan.tags.filter((t) => t.action !== TagAction.Skip)) {
    sheet.addRow([tag.name, tag.merge ? 'Source, Target' : WORKSPACE_LABEL[tag.workspace]]);
  }

  section(sheet, 'Resulting Sites', ['Name', 'Action']);
  for (const site of plan.sites) {
    sheet.addRow([site.resultingName, SITE_ACTION_LABEL[site.action]]);
  }
}

function writePatients(sheet: ExcelJS.Worksheet, patients: PatientPlan[]): void {
  sheet.columns = PATIENT_COLUMNS.map(() => ({ width: 24 }));
  bold(sheet.addRow(PATIENT_COLUMNS));
  for (const patient of patients) sheet.addRow(patientCells(patient));
}

function writeDuplicates(sheet: ExcelJS.Worksheet, clusters: DuplicateCluster[], plan: MergePlan): void {
  const header = ['Cluster', 'Category', 'Workspace', ...PATIENT_COLUMNS];
  sheet.columns = header.map(() => ({ width: 22 }));
  bold(sheet.addRow(header));
  const byKey = new Map(plan.patients.map((patient) => [`${patient.workspace}:${patient.userId}`, patient]));
  clusters.forEach((cluster, index) => {
    for (const ref of cluster.patients) {
      const patient = byKey.get(`${ref.workspace}:${ref.userId}`);
      if (!patient) continue;
      sheet.addRow([index + 1, cluster.category, WORKSPACE_LABEL[ref.workspace], ...patientCells(patient)]);
    }
  });
}

/** The merge report as an .xlsx workbook. */
export async function writeMergeReport(plan: MergePlan): Promise<Buffer> {
  // Loaded on first use: exceljs adds about 28 MB to the resident memory of a process that loads it.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  workbook.created = new Date(plan.generatedTime);
  const [summary, sourcePatients, targetPatients, sourceDuplicates, targetDuplicates, mergedDuplicates] =
    MERGE_REPORT_SHEETS.map((name) => workbook.addWorksheet(name));
  writeSummary(summary, plan);
  writePatients(
    sourcePatients,
    plan.patients.filter((patient) => patient.workspace === 'source'),
  );
  writePatients(
    targetPatients,
    plan.patients.filter((patient) => patient.workspace === 'target'),
  );
  writeDuplicates(sourceDuplicates, plan.duplicates.source, plan);
  writeDuplicates(targetDuplicates, plan.duplicates.target, plan);
  writeDuplicates(mergedDuplicates, plan.duplicates.merged, plan);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
