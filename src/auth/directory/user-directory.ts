/** A platform user account, as much of it as this service needs. */
export interface DirectoryUser {
  userId: string;
  /** Login name; an e-mail address for ordinary accounts, absent for custodial ones without e-mail. */
  username?: string;
  emails: string[];
  /** Platform roles, e.g. `clinic` for clinician accounts. */
  roles: string[];
  /** Custodial accounts are created on a patient's behalf and have no password. */
  custodial?: boolean;
}

export interface PatientProfile {
  fullName?: string;
  /** `YYYY-MM-DD`. */
  birthday?: string;
  mrn?: string;
  targetDevices?: string[];
}

export interface UserProfile {
  fullName?: string;
  patient?: PatientProfile;
}

export interface UserWithProfile {
  user: DirectoryUser;
  profile?: UserProfile;
}

export interface RestrictedToken {
  id: string;
  userId: string;
  /** RFC 3339. */
  expirationTime: string;
  createdTime: string;
}

export interface CustodialUserInput {
  /** The clinic creating the account (the platform scopes custodial accounts to it). */
  clinicId: string;
  email?: string;
  fullName?: string;
}

export interface ServiceAccountCredentials {
  clientId: string;
  clientSecret: string;
  name: string;
}

/**
 * The user directory port: everything the service asks of user accounts. Two adapters:
 * `embedded` (users in our own database) and `tidepool` (the platform's services over HTTP).
 */
export abstract class UserDirectory {
  abstract getUser(userId: string): Promise<DirectoryUser | undefined>;
  /** Case-insensitive. */
  abstract findUserByEmail(email: string): Promise<DirectoryUser | undefined>;
  abstract getProfile(userId: string): Promise<UserProfile | undefined>;
  /**
   * The account and its profile (undefined when there is no account). Adapters that hold both in
   * one place read them together; by default the two reads run side by side.
   */
  async getUserWithProfile(userId: string): Promise<UserWithProfile | undefined> {
    const [user, profile] = await Promise.all([this.getUser(userId), this.getProfile(userId)]);
    return user ? { user, profile } : undefined;
  }
  /** Throws ApiError 409 `duplicate: email address is already taken` when the e-mail is in use. */
  abstract createCustodialUser(input: CustodialUserInput): Promise<DirectoryUser>;
  /**
   * Removes a custodial account this service just created, when the patient record it was made for
   * could not be stored (so no account is left without its patient). Unknown ids are ignored.
   */
  abstract removeCustodialUser(userId: string): Promise<void>;
  /** Throws ApiError 409 `duplicate: email address is already taken` when the e-mail is in use. */
  abstract updateUserEmail(userId: string, email: string): Promise<void>;
  abstract createRestrictedToken(userId: string): Promise<RestrictedToken>;
  /** Undefined when unknown (expired tokens are returned; callers check `expirationTime`). */
  abstract getRestrictedToken(id: string): Promise<RestrictedToken | undefined>;
  /** Resolves the user id a service account's client credentials stand for (AddServiceAccount). */
  abstract resolveServiceAccount(credentials: ServiceAccountCredentials): Promise<{ userId: string }>;
}
