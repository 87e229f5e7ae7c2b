import { IsObjectIdString, IsTidepoolUserId } from './decorators';

/** Path parameter DTOs, so every route validates its ids the same way. */
export class ClinicIdParams {
  @IsObjectIdString()
  clinicId: string;
}

export class UserIdParams {
  @IsTidepoolUserId()
  userId: string;
}
