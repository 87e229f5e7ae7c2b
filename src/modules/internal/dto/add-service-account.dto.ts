import { IsString, MinLength } from 'class-validator';

/** `addServiceAccount.v1`: the API client's name and OAuth2 client credentials. */
export class AddServiceAccountBody {
  @IsString()
  @MinLength(1)
  name: string;

  @IsString()
  @MinLength(1)
  client_id: string;

  @IsString()
  @MinLength(1)
  client_secret: string;
}
