// The servers under test and the demo data's fixed day (no Playwright imports: the config uses it).
export const port = Number(process.env.PORTAL_E2E_PORT ?? 3100);
export const baseURL = `http://127.0.0.1:${port}`;
/** A second portal whose simulator fails every request. */
export const failingURL = `http://127.0.0.1:${port + 1}`;
/** A third portal with Entra sign-in, against the embedded simulator's OpenID provider. */
export const signInURL = `http://127.0.0.1:${port + 2}`;
/** The intranet page that embeds the sign-in portal. */
export const signInHostPort = port + 91;
export const signInHostOrigin = `http://localhost:${signInHostPort}`;
/** The intranet page that embeds the portal: another origin (host and port). */
export const hostPort = port + 90;
export const hostOrigin = `http://localhost:${hostPort}`;
/** The simulator's "today"; the default range is the 28 days before it. */
export const demoToday = '2026-03-15';
export const defaultRange = { from: '2026-02-15', to: '2026-03-14' };

