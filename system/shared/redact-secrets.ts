/** `scheme://user:password@` in any text (URLs in config values, driver messages). */
const credentialsInUrl = /([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):([^\s@/]*)@/gi;

/**
 * Replaces the password of every URL in `text` with `***` (`postgres://app:***@db:5432/app`), so
 * configuration errors and logs can show which URL was wrong without showing its secret.
 */
export const redactCredentials = (text: string): string =>
  text.replace(credentialsInUrl, (_match, scheme: string, user: string) => `${scheme}${user}:***@`);
