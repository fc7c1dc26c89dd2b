import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in's userinfo endpoint answers for an authorization code. */
export interface StandInProfile {
  readonly sub: string;
  readonly email?: string;
  readonly email_verified?: boolean | string;
  readonly name?: string;
}

/**
 * Google's token and userinfo endpoints, in process: the real
 * passport-google-oauth20 strategy talks to this instead of Google. Each
 * authorization code maps to the profile the test wants Google to vouch for.
 */
export class GoogleStandIn {
  private readonly profiles = new Map<string, StandInProfile>();
  readonly tokenRequests: Array<Record<string, string>> = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Registers a code that Google would hand the browser after consent. */
  codeFor(profile: StandInProfile): string {
    const code = `code-${this.profiles.size + 1}-${profile.sub}`;
    this.profiles.set(code, profile);
    return code;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (req.method === 'POST' && url.pathname === '/token') {
      const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
      this.tokenRequests.push(form);
      if (form.code === undefined || !this.profiles.has(form.code))
        return { status: 400, body: { error: 'invalid_grant' } };
      // The access token is the code itself, so userinfo can find the profile.
      return {
        status: 200,
        body: { access_token: form.code, token_type: 'Bearer', expires_in: 3600 },
      };
    }
    if (req.method === 'GET' && url.pathname === '/userinfo') {
      // The oauth client sends the token as a header or as ?access_token=, as Google accepts both.
      const token =
        (req.headers.authorization ?? '').replace(/^Bearer /, '') ||
        url.searchParams.get('access_token') ||
        '';
      const profile = this.profiles.get(token);
      return profile
        ? { status: 200, body: profile }
        : { status: 401, body: { error: 'invalid_token' } };
    }
    return { status: 404, body: { error: 'not_found' } };
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}
