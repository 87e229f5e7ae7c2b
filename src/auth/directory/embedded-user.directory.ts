import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../../common/errors/api-error';
import { isDuplicateKeyError } from '../../database/duplicate-key';
import type { UserRecord } from './user.schema';
import {
  CustodialUserInput,
  DirectoryUser,
  RestrictedToken,
  ServiceAccountCredentials,
  UserDirectory,
  UserProfile,
  UserWithProfile,
} from './user-directory';
import { UsersRepository } from './users.repository';

const RESTRICTED_TOKEN_LIFETIME_MS = 60 * 60 * 1000;
const USER_ID_ATTEMPTS = 5;

export interface NewLocalUser {
  email: string;
  fullName: string;
  roles?: string[];
  /** What the profile service would hold; its `fullName` defaults to the user's. */
  profile?: UserProfile;
}

/** Users kept in our own database, so the service runs on its own. */
@Injectable()
export class EmbeddedUserDirectory extends UserDirectory {
  constructor(private readonly users: UsersRepository) {
    super();
  }

  async getUser(userId: string): Promise<DirectoryUser | undefined> {
    const record = await this.users.findByUserId(userId);
    return record ? toDirectoryUser(record) : undefined;
  }

  async findUserByEmail(email: string): Promise<DirectoryUser | undefined> {
    const record = await this.users.findByEmailKey(email.trim().toLowerCase());
    return record ? toDirectoryUser(record) : undefined;
  }

  async getProfile(userId: string): Promise<UserProfile | undefined> {
    const record = await this.users.findByUserId(userId);
    return record ? toProfile(record) : undefined;
  }

  /** One read: the account and its profile are one record here. */
  override async getUserWithProfile(userId: string): Promise<UserWithProfile | undefined> {
    const record = await this.users.findByUserId(userId);
    return record ? { user: toDirectoryUser(record), profile: toProfile(record) } : undefined;
  }

  /** Creates an account with a password-less login (command-line tool, local development). */
  async createUser(input: NewLocalUser): Promise<DirectoryUser> {
    const email = input.email.trim();
    return this.insertWithNewId({
      username: email,
      emailKey: email.toLowerCase(),
      emails: [email],
      roles: input.roles ?? [],
      fullName: input.fullName,
      ...(input.profile ? { profile: input.profile } : {}),
      custodial: false,
    });
  }

  async createCustodialUser(input: CustodialUserInput): Promise<DirectoryUser> {
    const email = input.email?.trim();
    return this.insertWithNewId({
      ...(email ? { username: email, emailKey: email.toLowerCase(), emails: [email] } : { emails: [] }),
      roles: [],
      fullName: input.fullName,
      custodial: true,
    });
  }

  async removeCustodialUser(userId: string): Promise<void> {
    await this.users.deleteCustodial(userId);
  }

  async updateUserEmail(userId: string, email: string): Promise<void> {
    let updated: boolean;
    try {
      updated = await this.users.updateEmail(userId, email.trim());
    } catch (error) {
      if (isDuplicateKeyError(error)) throw ApiError.duplicate('email address is already taken');
      throw error;
    }
    if (!updated) throw ApiError.notFound('user');
  }

  async createRestrictedToken(userId: string): Promise<RestrictedToken> {
    const now = new Date();
    const record = {
      tokenId: randomBytes(16).toString('hex'),
      userId,
      createdTime: now,
      expirationTime: new Date(now.getTime() + RESTRICTED_TOKEN_LIFETIME_MS),
    };
    await this.users.insertRestrictedToken(record);
    return toRestrictedToken(record);
  }

  async getRestrictedToken(id: string): Promise<RestrictedToken | undefined> {
    const record = await this.users.findRestrictedToken(id);
    return record ? toRestrictedToken(record) : undefined;
  }

  /**
   * The local stand-in for the platform's client-credentials grant: the first call for a client id
   * creates its user; later calls must present the same secret.
   */
  async resolveServiceAccount(credentials: ServiceAccountCredentials): Promise<{ userId: string }> {
    const existing = await this.users.findByServiceAccountClientId(credentials.clientId);
    if (existing) return this.checkServiceAccountSecret(existing, credentials.clientSecret);
    const salt = randomBytes(16).toString('hex');
    try {
      const user = await this.insertWithNewId({
        emails: [],
        roles: ['clinic'],
        fullName: credentials.name,
        custodial: false,
        serviceAccountClientId: credentials.clientId,
        serviceAccountSecretHash: `${salt}:${hashSecret(credentials.clientSecret, salt)}`,
      });
      return { userId: user.userId };
    } catch (error) {
      const raced = await this.users.findByServiceAccountClientId(credentials.clientId);
      if (raced) return this.checkServiceAccountSecret(raced, credentials.clientSecret);
      throw error;
    }
  }

  private checkServiceAccountSecret(user: UserRecord, secret: string): { userId: string } {
    const [salt, expected] = (user.serviceAccountSecretHash ?? ':').split(':');
    const actual = hashSecret(secret, salt);
    if (!expected || !timingSafeEqual(Buffer.from(actual, 'hex'), Buffer.from(expected, 'hex'))) {
      throw ApiError.badRequest('invalid service account credentials');
    }
    return { userId: user.userId };
  }

  /** Tidepool-format ids are random; a collision on the unique index is retried with a new one. */
  private async insertWithNewId(
    user: Omit<UserRecord, 'userId' | 'createdTime' | 'updatedTime'>,
  ): Promise<DirectoryUser> {
    for (let attempt = 1; ; attempt++) {
      try {
        return toDirectoryUser(await this.users.insert({ ...user, userId: randomBytes(5).toString('hex') }));
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        if (user.emailKey && (await this.users.findByEmailKey(user.emailKey))) {
          throw ApiError.duplicate('email address is already taken');
        }
        if (attempt >= USER_ID_ATTEMPTS) throw error;
      }
    }
  }
}

function hashSecret(secret: string, salt: string): string {
  return scryptSync(secret, salt, 32).toString('hex');
}

function toDirectoryUser(record: UserRecord): DirectoryUser {
  return {
    userId: record.userId,
    ...(record.username ? { username: record.username } : {}),
    emails: record.emails ?? [],
    roles: record.roles ?? [],
    ...(record.custodial ? { custodial: true } : {}),
  };
}

function toProfile(record: UserRecord): UserProfile {
  const fullName = record.profile?.fullName ?? record.fullName;
  return {
    ...(fullName ? { fullName } : {}),
    ...(record.profile?.patient ? { patient: { ...record.profile.patient } } : {}),
  };
}

function toRestrictedToken(record: {
  tokenId: string;
  userId: string;
  expirationTime: Date;
  createdTime: Date;
}): RestrictedToken {
  return {
    id: record.tokenId,
    userId: record.userId,
    expirationTime: record.expirationTime.toISOString(),
    createdTime: record.createdTime.toISOString(),
  };
}
