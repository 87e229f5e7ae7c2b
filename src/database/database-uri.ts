/** The host part of a MongoDB URI, for messages: never the credentials. */
export function describeDatabaseHost(uri: string): string {
  const withoutScheme = uri.replace(/^mongodb(\+srv)?:\/\//, '');
  const withoutCredentials = withoutScheme.includes('@')
    ? withoutScheme.slice(withoutScheme.lastIndexOf('@') + 1)
    : withoutScheme;
  return withoutCredentials.split(/[/?]/)[0] || 'unknown host';
}
