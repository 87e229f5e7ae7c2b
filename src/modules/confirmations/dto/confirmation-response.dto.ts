import { ApiHideProperty, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConfirmationStatus, ConfirmationType } from '../schemas/confirmation.schema';

export class CreatorProfileResponse {
  fullName: string;
  /** Present when the inviter is also a patient. */
  patient?: { fullName?: string; birthday?: string; mrn?: string };
}

export class CreatorResponse {
  /** The inviter's user id. */
  userid: string;
  profile: CreatorProfileResponse;
  /** The inviting clinic. */
  clinicId?: string;
  clinicName?: string;
}

export class RestrictionsResponse {
  /** Whether the invite can be accepted by the current user. */
  canAccept: boolean;
  /** Set if the user must be authenticated against a specific identity provider before accepting. */
  requiredIdp?: string;
}

/** An invite (confirmation). */
export class ConfirmationResponse {
  @ApiProperty({ type: String, minLength: 32, maxLength: 32 })
  key: string;
  @ApiProperty({ enum: ConfirmationType, enumName: 'ConfirmationType' })
  type: ConfirmationType;
  @ApiProperty({ enum: ConfirmationStatus, enumName: 'ConfirmationStatus' })
  status: ConfirmationStatus;
  @ApiProperty({ type: String, format: 'email' })
  email: string;
  /** The inviting clinic (kept for clients of the established invite service; `creator.clinicId` too). */
  @ApiHideProperty()
  clinicId?: string;
  creatorId: string;
  @ApiProperty({ type: String, format: 'date-time' })
  created: string;
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  modified?: string;
  creator?: CreatorResponse;
  context?: string;
  restrictions?: RestrictionsResponse;
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  expiresAt?: string;
}
