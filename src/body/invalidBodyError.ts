import { OrdoSchemaError, type OrdoSchemaIssue } from '../errors/OrdoSchemaError.js';
import { excerptOf } from './excerptOf.js';

/**
 * The {@link OrdoSchemaError} for a job status body that is not what it should be: the message
 * names the job and the first three issues (`Invalid job status body for job 7: steps[0].status:
 * expected one of …`), `bodyExcerpt` holds the body's first characters.
 */
export function invalidBodyError(
  issues: readonly OrdoSchemaIssue[],
  body: unknown,
  jobId: string | undefined,
  contentType: string | undefined,
  cause?: unknown,
): OrdoSchemaError {
  const shown = issues
    .slice(0, 3)
    .map((issue) => `${issue.path === '' ? 'body' : issue.path}: ${issue.message}`)
    .join('; ');
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  const subject = jobId === undefined ? 'job status body' : `job status body for job ${jobId}`;
  return new OrdoSchemaError(`Invalid ${subject}: ${shown}${more}`, {
    issues,
    bodyExcerpt: excerptOf(body),
    contentType,
    jobId,
    cause,
  });
}
