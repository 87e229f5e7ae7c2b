import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { UserProfile } from './user-directory';

/** A user account of the embedded user directory. */
@Schema({ collection: 'users', versionKey: false })
export class UserRecord {
  /** Tidepool-format user id: 10 lowercase hex characters. */
  @Prop({ required: true }) userId: string;
  @Prop() username?: string;
  /** Lower-cased username; present exactly when the user has an e-mail (sparse unique). */
  @Prop() emailKey?: string;
  @Prop({ type: [String], default: [] }) emails: string[];
  @Prop({ type: [String], default: [] }) roles: string[];
  @Prop() fullName?: string;
  /** The profile the platform's profile service would hold (`fullName`, `patient`); optional. */
  @Prop({ type: Object }) profile?: UserProfile;
  @Prop({ default: false }) custodial: boolean;
  /** Present only on service-account users (sparse unique). */
  @Prop() serviceAccountClientId?: string;
  /** scrypt hash of the service account's client secret. */
  @Prop() serviceAccountSecretHash?: string;
  @Prop({ required: true }) createdTime: Date;
  @Prop({ required: true }) updatedTime: Date;
}

export const UserSchema = SchemaFactory.createForClass(UserRecord);
// getUser
UserSchema.index({ userId: 1 }, { unique: true });
// findUserByEmail; case-insensitive uniqueness through the stored lower-cased key
UserSchema.index({ emailKey: 1 }, { unique: true, sparse: true });
// resolveServiceAccount
UserSchema.index({ serviceAccountClientId: 1 }, { unique: true, sparse: true });

/** A restricted token (e.g. for viewing one patient's report). */
@Schema({ collection: 'restricted_tokens', versionKey: false })
export class RestrictedTokenRecord {
  @Prop({ required: true }) tokenId: string;
  @Prop({ required: true }) userId: string;
  @Prop({ required: true }) expirationTime: Date;
  @Prop({ required: true }) createdTime: Date;
}

export const RestrictedTokenSchema = SchemaFactory.createForClass(RestrictedTokenRecord);
// getRestrictedToken
RestrictedTokenSchema.index({ tokenId: 1 }, { unique: true });
