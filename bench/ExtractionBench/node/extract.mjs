// Mozilla Readability side of ExtractionBench: extracts every page of a corpus written by the C# bench and reports
// its own wall time, so parsing (jsdom) plus extraction (Readability) is timed like ours (AngleSharp plus extractor).
// Usage: node extract.mjs <corpusDir> <outFile> [passes=1] [warmupPages=20]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { JSDOM, VirtualConsole } from 'jsdom';
import { Readability } from '@mozilla/readability';

const [corpusDir, outFile, passesArg = '1', warmupArg = '20'] = process.argv.slice(2);
if (!corpusDir || !outFile) {
  console.error('usage: node extract.mjs <corpusDir> <outFile> [passes] [warmupPages]');
  process.exit(2);
}

const manifest = JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8'));
const pages = manifest.pages.map((p) => ({ file: p.file, html: readFileSync(join(corpusDir, p.file), 'utf8') }));
const bytes = pages.reduce((sum, p) => sum + Buffer.byteLength(p.html, 'utf8'), 0);
// jsdom reports CSS it cannot parse to the console; the bench only wants the text.
const virtualConsole = new VirtualConsole();

function extract(page) {
  const dom = new JSDOM(page.html, { url: `https://bench.example/${page.file}`, virtualConsole });
  try {
    const article = new Readability(dom.window.document).parse();
    return article ? { title: article.title ?? '', text: article.textContent ?? '' } : { title: '', text: '' };
  } finally {
    dom.window.close();
  }
}

const warmup = Math.min(Number(warmupArg), pages.length);
for (let i = 0; i < warmup; i++) extract(pages[i]);

// The machine is shared, so each pass is timed on its own and the caller compares the fastest and the median.
const passes = Math.max(1, Number(passesArg));
const passSeconds = [];
let results = [];
for (let pass = 0; pass < passes; pass++) {
  const start = performance.now();
  results = pages.map((page) => ({ file: page.file, ...extract(page) }));
  passSeconds.push((performance.now() - start) / 1000);
}

writeFileSync(outFile, JSON.stringify({ passSeconds, pages: pages.length, bytes, results }));
console.log(`readability: ${passes} passes over ${pages.length} pages: ${passSeconds.map((s) => s.toFixed(2)).join(', ')} s`);
