import { IsContractEnum } from '../../../common/validation/decorators';
import { Tier } from '../../clinics/clinic.constants';

/** `UpdateTier`. */
export class UpdateTierBody {
  @IsContractEnum(Tier, 'Tier')
  tier: string;
}
