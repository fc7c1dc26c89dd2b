import { Session } from 'node:inspector';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Preloaded into the service by `npm run bench:transfers` when
 * BENCH_PROFILE_DIR is set (`node -r .../cpu-profile.preload.js`). The first
 * SIGWINCH starts the CPU profiler, the second stops it and writes
 * `<name>-<pid>.cpuprofile` into BENCH_PROFILE_DIR (BENCH_PROFILE_NAME:
 * `service`, or `api` and `worker` when they run apart), so the profile
 * covers only the measured load and not start-up or funding. SIGWINCH because
 * Nest's shutdown hooks take SIGUSR2 as a request to stop, and a process
 * without a terminal ignores SIGWINCH by default. `node --cpu-prof`
 * cannot be used for this: it writes only on a normal exit, and the service
 * ends by re-raising SIGTERM.
 */
const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGWINCH', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.start'));
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) return console.error('cpu profile:', error.message);
      const name = process.env.BENCH_PROFILE_NAME ?? 'service';
      const file = join(dir, `${name}-${process.pid}.cpuprofile`);
      // Written aside and renamed, so the bench never reads half a profile.
      writeFileSync(`${file}.partial`, JSON.stringify(result.profile));
      renameSync(`${file}.partial`, file);
    });
  });
}
