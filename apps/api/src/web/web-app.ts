import type { ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

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
  app: INestApplication,
  webDir: string,
  apiPaths: readonly string[],
): boolean {
  const index = join(webDir, 'index.html');
  if (!existsSync(index)) return false;
  const reserved = new Set([...RESERVED_SEGMENTS, ...apiPaths.map(firstSegment)]);
  (app as NestExpressApplication).useStaticAssets(webDir, {
    index: ['index.html'],
    setHeaders: (res: ServerResponse, path: string) =>
      res.setHeader('Cache-Control', cacheControl(webDir, path)),
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!isAppNavigation(req, reserved)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}

export function cacheControl(webDir: string, path: string): string {
  return path.startsWith(join(webDir, 'assets'))
    ? 'public, max-age=31536000, immutable'
    : 'no-cache';
}

function isAppNavigation(req: Request, reserved: ReadonlySet<string>): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (!(req.headers.accept ?? '').includes('text/html')) return false;
  // A path naming a file (a dot in its last part) is a missing file, not a page.
  if ((req.path.split('/').pop() ?? '').includes('.')) return false;
  const segment = firstSegment(req.path);
  return segment !== '' && !reserved.has(segment);
}

function firstSegment(path: string): string {
  return path.replace(/^\/+/, '').split('/')[0] ?? '';
}
