import { HttpStatus, Injectable } from '@nestjs/common';
import type { Principal } from '../../../auth/principal';
import { ApiError } from '../../../common/errors/api-error';
import { CliniciansService } from '../clinicians/clinicians.service';
import { PatientsService } from '../patients/patients.service';

/** Error codes of the operations on a user across clinics. */
export enum ClinicUserErrorCode {
  PartiallyUpdated = 'partially-updated',
}

/**
 * Operations on one user across every clinic they belong to (behavior-clinics.md §1.18–§1.19), for the
 * services that manage user accounts: removing a deleted account, and following an e-mail change.
 * They take one clinic's write gate at a time, never two, and every step is safe to repeat, so a
 * request that fails part-way is finished by repeating it.
 */
@Injectable()
export class ClinicUsersService {
  constructor(
    private readonly clinicians: CliniciansService,
    private readonly patients: PatientsService,
  ) {}

  /**
   * The user's patient records go first (counts recounted), then their clinician records; a clinic
   * left without any clinician record loses its non-custodial patients. `deletedByUserId` is the
   * caller for user tokens.
   */
  async deleteUserFromClinics(principal: Principal, userId: string): Promise<void> {
    const deletedBy = principal.isServer ? undefined : principal.subjectId;
    await this.patients.deleteUserPatients(userId, deletedBy);
    await this.clinicians.deleteUserClinicians(userId, deletedBy, (writes, clinicId) =>
      this.patients.removeNonCustodialPatients(writes, clinicId, deletedBy),
    );
  }

  /**
   * A non-empty e-mail is set on every clinician record of the user, then on every patient record
   * (where an absent or empty e-mail clears it). Clinics where another clinician has the e-mail keep
   * the old one: 422 `partially updated X out of Y clinician records: constraint violation: duplicate
   * email`, after the patient records were updated.
   */
  async updateClinicUserDetails(userId: string, email: string | undefined): Promise<void> {
    const clinicians = email ? await this.clinicians.setUserEmail(userId, email) : undefined;
    await this.patients.setUserEmail(userId, email || null);
    if (clinicians && clinicians.updated < clinicians.total) {
      throw new ApiError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        `partially updated ${clinicians.updated} out of ${clinicians.total} clinician records: constraint violation: duplicate email`,
      ).because(ClinicUserErrorCode.PartiallyUpdated);
    }
  }
}
