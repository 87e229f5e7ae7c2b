import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { RestrictedTokenRecord, UserRecord } from './user.schema';
import { insertDocument } from '../../database/insert-document';
import { findOneLean } from '../../database/lean-reads';

export type NewUser = Omit<UserRecord, 'createdTime' | 'updatedTime'>;

/** The embedded directory's `users` and `restricted_tokens` collections. */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectModel(UserRecord.name) private readonly users: Model<UserRecord>,
    @InjectModel(RestrictedTokenRecord.name) private readonly tokens: Model<RestrictedTokenRecord>,
  ) {}

  findByUserId(userId: string): Promise<UserRecord | null> {
    return findOneLean(this.users, { userId });
  }

  findByEmailKey(emailKey: string): Promise<UserRecord | null> {
    return this.users.findOne({ emailKey }).lean<UserRecord>().exec();
  }

  findByServiceAccountClientId(clientId: string): Promise<UserRecord | null> {
    return this.users.findOne({ serviceAccountClientId: clientId }).lean<UserRecord>().exec();
  }

  /** Throws the driver's duplicate-key error when the user id or e-mail is taken. */
  async insert(user: NewUser): Promise<UserRecord> {
    const now = new Date();
    const record: UserRecord = { ...user, createdTime: now, updatedTime: now };
    await insertDocument(this.users, record);
    return record;
  }

  /** Returns false when there is no such user; throws duplicate-key when the e-mail is taken. */
  async updateEmail(userId: string, email: string): Promise<boolean> {
    const result = await this.users
      .updateOne(
        { userId },
        { $set: { username: email, emails: [email], emailKey: email.toLowerCase(), updatedTime: new Date() } },
      )
      .exec();
    return result.matchedCount > 0;
  }

  /** Only custodial accounts; false when there is none with this id. */
  async deleteCustodial(userId: string): Promise<boolean> {
    const result = await this.users.deleteOne({ userId, custodial: true }).exec();
    return result.deletedCount > 0;
  }

  async insertRestrictedToken(token: RestrictedTokenRecord): Promise<void> {
    await insertDocument(this.tokens, token);
  }

  findRestrictedToken(tokenId: string): Promise<RestrictedTokenRecord | null> {
    return this.tokens.findOne({ tokenId }).lean<RestrictedTokenRecord>().exec();
  }
}
