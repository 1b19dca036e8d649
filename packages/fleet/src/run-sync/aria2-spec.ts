// WEPPcloud's run-sync protocol: `GET <host>/weppcloud/runs/<runid>/<config>/aria2c.spec` lists every file of
// the run as an aria2c input file (a URL line, then an indented ` out=<relpath>`), and each file is served at
// `…/download/<relpath>`. The spec comes from the network, so it is data, never a command file: only the URL
// and `out` of each entry are read, both must name the same file under this run's download folder, and any
// other aria2c option it carries (`dir=`, `header=`…) is ignored. aria2c is only ever given a spec we wrote.
import { createError } from '@tidemark/core';
import { posix } from 'node:path';
import { entryNameProblem, isOutsideSnapshot } from '@tidemark/plugin-run-dirs';

export const SPEC_NAME = 'aria2c.spec';
/** Tidemark's own extension: sizes and sha256 of every file (a real WEPPcloud has none; then none are checked). */
export const TIDEMARK_MANIFEST_NAME = 'tidemark-manifest.json';

export interface SpecEntry {
  /** Normalised relative path (posix). */
  path: string;
  url: URL;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A run id or config must be a single path component (the real job's check). */
export function checkPathComponent(what: string, value: string): string {
  if (!NAME.test(value) || value === '.' || value === '..')
    throw createError('fleet', `run-sync: ${what} "${value}" must be one path component (letters, digits, . _ -)`);
  return value;
}

/** `<base>/weppcloud/runs/<runid>/<config>/` */
export function wepppyRunUrl(base: URL, runid: string, config: string): URL {
  return new URL(
    `weppcloud/runs/${encodeURIComponent(checkPathComponent('run id', runid))}/${encodeURIComponent(checkPathComponent('config', config))}/`,
    base,
  );
}

export function downloadUrl(runUrl: URL, path: string): URL {
  return new URL(`download/${path.split('/').map(encodeURIComponent).join('/')}`, runUrl);
}

export function formatAria2Spec(runUrl: URL, paths: readonly string[]): string {
  return paths.map((p) => `${downloadUrl(runUrl, p).toString()}\n  out=${p}\n`).join('');
}

/** The relative path a spec names, normalised (`./wepp/x` -> `wepp/x`); null with the reason when refused. */
export function normaliseSpecPath(raw: string): { path: string } | { problem: string } {
  const problem = entryNameProblem(raw);
  if (problem) return { problem };
  const path = posix.normalize(raw).replace(/^(\.\/)+/, '');
  if (path === '' || path === '.' || path.endsWith('/')) return { problem: 'not a file path' };
  if (isOutsideSnapshot(path) || path === '.provenance.json')
    return { problem: "inside archives/ or Tidemark's own state" };
  return { path };
}

export function parseAria2Spec(text: string, runUrl: URL, label: string): SpecEntry[] {
  const fail = (line: number, why: string) =>
    createError('fleet', `run-sync ${label}: ${SPEC_NAME} line ${line}: ${why}`);
  const prefix = new URL('download/', runUrl).toString();
  const entries: SpecEntry[] = [];
  const seen = new Set<string>();
  let current: { url: URL; fromUrl: string; line: number; out?: string } | null = null;
  const close = () => {
    if (!current) return;
    const raw = current.out ?? current.fromUrl;
    const n = normaliseSpecPath(raw);
    if ('problem' in n) throw fail(current.line, `"${raw}": ${n.problem}`);
    const fromUrl = normaliseSpecPath(current.fromUrl);
    if ('problem' in fromUrl || fromUrl.path !== n.path)
      throw fail(current.line, `out=${raw} is not the file its URL downloads (${current.fromUrl})`);
    if (seen.has(n.path)) throw fail(current.line, `"${n.path}" is listed twice`);
    seen.add(n.path);
    entries.push({ path: n.path, url: current.url });
    current = null;
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    if (/^\s/.test(line)) {
      if (!current) throw fail(i + 1, 'an option line before any URL');
      const option = line.trim();
      if (option.startsWith('out=')) current.out = option.slice(4);
      return; // every other aria2c option is ignored on purpose
    }
    close();
    let url: URL;
    try {
      url = new URL(line.trim());
    } catch {
      throw fail(i + 1, `not a URL: ${JSON.stringify(line.trim().slice(0, 200))}`);
    }
    // The bearer token goes with every file request: a URL elsewhere (another host, another run) is refused.
    if (!url.toString().startsWith(prefix) || url.search || url.hash)
      throw fail(i + 1, `${url.origin}${url.pathname} is not under this run's ${prefix}`);
    let fromUrl: string;
    try {
      fromUrl = url.pathname.slice(new URL(prefix).pathname.length).split('/').map(decodeURIComponent).join('/');
    } catch {
      throw fail(i + 1, 'the URL path is not valid percent-encoding');
    }
    current = { url, fromUrl, line: i + 1 };
  });
  close();
  return entries;
}
