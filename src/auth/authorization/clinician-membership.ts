/** The caller's clinician record in the path clinic, as the authorization guard read it. */
export interface ClinicianMembership {
  /** The clinician document's id. */
  id: string;
  clinicId: string;
  userId: string;
  roles: string[];
  name?: string | null;
  email?: string;
}

/** Port implemented by the Clinics module: one read by (clinicId, userId). */
export abstract class ClinicianMembershipLookup {
  abstract findMembership(clinicId: string, userId: string): Promise<ClinicianMembership | undefined>;
}
