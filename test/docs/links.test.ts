/**
 * Every relative link in README.md and docs/*.md points at a file that exists and, since these
 * pages ship in the npm package, at a file the package contains (package.json `files`).
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const pages = [
  'README.md',
  ...readdirSync(path.join(repoRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((href) => !/^[a-z]+:/i.test(href) && !href.startsWith('#'));
}

describe('documentation links', () => {
  for (const page of pages) {
    it(`${page}: relative links resolve`, () => {
      const text = readFileSync(path.join(repoRoot, page), 'utf8');
      const missing = relativeLinks(text).filter((href) => {
        const target = path.resolve(path.dirname(path.join(repoRoot, page)), href.split('#')[0]!);
        return !existsSync(target);
      });
      expect(missing, `broken links in ${page}`).to.deep.equal([]);
    });
  }

  const { files } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    files: string[];
  };
  // npm always packs these, whatever `files` says.
  const shipped = [...files, 'package.json', 'README.md', 'LICENSE'];
  for (const page of pages) {
    it(`${page}: links only to files the npm package contains`, () => {
      const text = readFileSync(path.join(repoRoot, page), 'utf8');
      const outside = relativeLinks(text).filter((href) => {
        const target = path.relative(
          repoRoot,
          path.resolve(path.dirname(path.join(repoRoot, page)), href.split('#')[0]!),
        );
        return !shipped.some((f) => target === f || target.startsWith(`${f}/`));
      });
      expect(outside, `links in ${page} to files outside the package`).to.deep.equal([]);
    });
  }
});
