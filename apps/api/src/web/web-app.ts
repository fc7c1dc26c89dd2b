import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where `npm run build` puts the web app: dist/web, next to dist/apps. From
 * this file's place in dist (dist/apps/api/src/web) that is four levels up.
 */
export function defaultWebDir(): string {
  return resolve(__dirname, '../../../../web');
}

/** Paths the API answers itself besides its resources: never the app's. */
const RESERVED_SEGMENTS = ['assets', 'docs', 'openapi.json', 'docs-json', 'metrics', 'health'];

/**
 * Serves the built web app at `/` beside the API. Hashed files under
 * /assets/ never change under their name, so browsers keep them for a year;
 * everything else (index.html, the service worker, the manifest) is checked
 * on every load, so a deploy reaches everyone on their next visit. A browser
 * navigating to one of the app's own paths (/send, /console, …) gets
 * index.html; a path whose first segment is the API's gets the API's answer,
 * a 404 included, so the app can never shadow a route or hide a mistyped one.
 */
export function serveWebApp(
  app: NestFastifyApplication,
  webDir: string,
  apiPaths: readonly string[],
): boolean {
  const index = join(webDir, 'index.html');
  if (!existsSync(index)) return false;
  const reserved = new Set([...RESERVED_SEGMENTS, ...apiPaths.map(firstSegment)]);
  // One route per file of the build (it does not change while the server
  // runs), so that the catch-all below is the only wildcard.
  void app.register(fastifyStatic, {
    root: webDir,
    prefix: '/',
    index: ['index.html'],
    wildcard: false,
    cacheControl: false,
    setHeaders: (reply: FastifyReply, path: string) => {
      reply.header('Cache-Control', cacheControl(webDir, path));
    },
  });
  // Any other GET: the app's index.html for a browser navigation; the API's 404 otherwise.
  app
    .getHttpAdapter()
    .getInstance()
    .get('/*', (request: FastifyRequest, reply: FastifyReply) =>
      isAppNavigation(request, reserved) ? reply.sendFile('index.html') : reply.callNotFound(),
    );
  return true;
}

export function cacheControl(webDir: string, path: string): string {
  return path.startsWith(join(webDir, 'assets'))
    ? 'public, max-age=31536000, immutable'
    : 'no-cache';
}

function isAppNavigation(req: FastifyRequest, reserved: ReadonlySet<string>): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (!(req.headers.accept ?? '').includes('text/html')) return false;
  const path = pathOf(req.url);
  // A path naming a file (a dot in its last part) is a missing file, not a page.
  if ((path.split('/').pop() ?? '').includes('.')) return false;
  const segment = firstSegment(path);
  return segment !== '' && !reserved.has(segment);
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function firstSegment(path: string): string {
  return path.replace(/^\/+/, '').split('/')[0] ?? '';
}
