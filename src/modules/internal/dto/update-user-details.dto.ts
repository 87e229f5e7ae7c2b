import { IsEmailAddress } from '../../../common/validation/decorators';

/** `updateUserDetails.v1`. An empty e-mail is accepted (decisions.md §2) and clears the patients' e-mail. */
export class UpdateUserDetailsBody {
  @IsEmailAddress({ optional: true, openApi: { minLength: 1 } })
  email?: string;
}
