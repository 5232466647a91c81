import { readFile } from 'node:fs/promises';

/** What one Schemathesis run did, read from its HAR (every exchange) and JSON (every failure) reports. */
export interface RoundCounts {
  requests: number;
  /** "METHOD /api/path" of every operation that got a request. */
  operations: Set<string>;
  serverErrors: number;
  nonProblemErrors: number;
  schemaViolations: number;
  /** One line per finding, for the log above the fuzz line. */
  /** Schemathesis could not run a test (a schema it cannot read, a refused connection): the run proves nothing. */
  errors: number;
  findings: string[];
}

interface HarEntry {
  request: { method: string; url: string };
  response: { status: number; headers: { name: string; value: string }[] };
}

interface JsonReport {
  failures: { code: string; title: string; count: number; operations: string[] }[];
  errors: { title?: string; message?: string; operation?: string }[];
}

/**
 * ST103 to ST111 are Schemathesis's codes for a response the document does not describe: an undocumented status,
 * a missing or undocumented content type, a missing header, a body or header its schema refuses, a body that does
 * not parse (`st explain ST103`). Schemathesis reports each distinct failure once, so these count distinct ones.
 */
const DOCUMENT_FAILURE = /^ST1(0[3-9]|1[01])$/;

/** `operations` are the document's, as "METHOD /api/path/{param}", most specific (fewest parameters) first. */
export async function readRound(harFile: string, jsonFile: string, operations: string[]): Promise<RoundCounts> {
  const har = JSON.parse(await readFile(harFile, 'utf8')) as { log: { entries: HarEntry[] } };
  const report = JSON.parse(await readFile(jsonFile, 'utf8')) as JsonReport;
  const counts: RoundCounts = {
    requests: 0,
    operations: new Set(),
    serverErrors: 0,
    nonProblemErrors: 0,
    schemaViolations: 0,
    errors: report.errors.length,
    findings: [],
  };
  for (const { request, response } of har.log.entries) {
    counts.requests++;
    const operation = operationOf(request.method, new URL(request.url).pathname, operations);
    if (operation) counts.operations.add(operation);
    const type = response.headers.find((header) => header.name.toLowerCase() === 'content-type')?.value ?? '';
    const where = `${request.method} ${new URL(request.url).pathname}`;
    if (response.status >= 500) {
      counts.serverErrors++;
      counts.findings.push(`5xx: ${response.status} to ${where}`);
    }
    if (response.status >= 400 && type.split(';')[0]?.trim().toLowerCase() !== 'application/problem+json') {
      counts.nonProblemErrors++;
      counts.findings.push(`non-problem error: ${response.status} ${type || '(no content type)'} to ${where}`);
    }
  }
  for (const failure of report.failures) {
    if (!DOCUMENT_FAILURE.test(failure.code)) continue;
    counts.schemaViolations += failure.count;
    counts.findings.push(`schema violation ${failure.code} ${failure.title}: ${failure.operations.join(', ')}`);
  }
  for (const error of report.errors) {
    counts.findings.push(`schemathesis error: ${error.operation ?? ''} ${error.title ?? ''} ${error.message ?? ''}`);
  }
  return counts;
}

/** The documented operation a request was for; null for a method the document does not list for the path. */
function operationOf(method: string, pathname: string, operations: string[]): string | null {
  const segments = pathname.split('/');
  return (
    operations.find((operation) => {
      const [opMethod, template = ''] = operation.split(' ');
      const parts = template.split('/');
      return (
        opMethod === method.toUpperCase() &&
        parts.length === segments.length &&
        parts.every((part, i) => part.startsWith('{') || part === segments[i])
      );
    }) ?? null
  );
}
