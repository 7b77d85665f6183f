/** What a malformed-request suite records about one answer. */
export interface Answer {
  /** 0: the server closed the connection without answering. */
  status: number;
  contentType: string;
  body: string;
}

/**
 * Why `answer` is not an acceptable answer to a malformed request, or undefined when it is: never
 * a 5xx (nor silence), and every 4xx is `application/problem+json` carrying a string `code`.
 * `allowSuccess` admits a 2xx/3xx (requests that are odd but legal, e.g. a bad Last-Event-ID,
 * which opens a stream that starts with a gap event).
 */
export function problemViolation(answer: Answer, allowSuccess = false): string | undefined {
  if (answer.status === 0) return 'no answer';
  if (answer.status >= 500) return `server error ${answer.status}`;
  if (answer.status < 400) return allowSuccess ? undefined : `not refused: ${answer.status}`;
  if (!answer.contentType.startsWith('application/problem+json')) return `4xx as ${answer.contentType}`;
  try {
    const { code } = JSON.parse(answer.body) as { code?: unknown };
    return typeof code === 'string' && code.length > 0 ? undefined : 'problem without a code';
  } catch {
    return 'problem body is not JSON';
  }
}

/** Tallies of a suite run, printed by the suites so the counts can be quoted. */
export interface SuiteTally {
  requests: number;
  serverErrors: number;
  nonProblem4xx: number;
  statuses: Record<number, number>;
}

export function tally(answers: readonly Answer[]): SuiteTally {
  const statuses: Record<number, number> = {};
  for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  return {
    requests: answers.length,
    serverErrors: answers.filter((a) => a.status >= 500 || a.status === 0).length,
    nonProblem4xx: answers.filter(
      (a) => a.status >= 400 && a.status < 500 && !a.contentType.startsWith('application/problem+json'),
    ).length,
    statuses,
  };
}
