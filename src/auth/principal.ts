/** Who is calling, as established from the session token. */
export interface Principal {
  /** The user id for user tokens; the service's name or id for server tokens. */
  subjectId: string;
  /** True for server (service) tokens. */
  isServer: boolean;
  /** The identity provider that issued the user's session, when known (membership restrictions). */
  identityProvider?: string;
}
